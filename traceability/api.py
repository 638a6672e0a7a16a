"""The batch API for cooperatives' own systems: ``/api/v1/`` (django-ninja), schema at ``openapi.json``.

Authentication is a per-supplier key sent as ``Authorization: Bearer shy_…`` (created and revoked in
the portal; only its SHA-256 is stored). A key sees and creates only its own supplier's batches: another
supplier's product, base or batch is refused with a clear JSON error, and nothing is written.

Every answer is JSON, errors too, in the language of ``Accept-Language`` (Chinese by default), and
no request a client can send gets a 5xx or an HTML page:
``400`` a body that is not JSON (or not UTF-8, or nested too deep); ``401`` a missing, unknown or
revoked key; ``404`` a batch that is not yours, or a path the API does not have; ``405`` a method the
path does not take; ``413`` a body over ``MAX_BODY_BYTES``; ``415`` a body that is not
``application/json``; ``422 {"detail": …, "errors": {field: [...]}}`` a request that cannot be
accepted: a wrong JSON type (``true``, ``"5"`` or ``5.5`` as a quantity), a number past what the
field holds (``1e309``, ``10**100``), a NUL character or a lone surrogate in a text (PostgreSQL
cannot store them), an unknown field, or a rule of the batch.

``POST /batches/`` takes an ``Idempotency-Key`` header (1 to 255 printable ASCII characters): a
retried create with the same key answers with the first answer (status and body, plus
``Idempotent-Replayed: true``) and creates nothing; the same key with another body is 422. Keys are
kept in the database for 7 days (``traceability.idempotency``).
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import re
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.db import IntegrityError
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Path, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.responses import Status
from ninja.security import HttpBearer
from pydantic import BeforeValidator, ConfigDict, Field, StrictInt, StrictStr
from pydantic_core import PydanticCustomError

from suppliers.models import Supplier
from traceability import idempotency, imports, qr, selectors, services
from traceability.models import ApiToken, Batch, BatchUnit

logger = logging.getLogger(__name__)

#: A batch is a few hundred bytes of JSON; 64 KB leaves room for 50 inputs and long notes.
MAX_BODY_BYTES = 64 * 1024
#: Ids are PostgreSQL bigints; quantities fit Batch.quantity (a PositiveIntegerField).
MAX_ID = 2**63 - 1
MAX_QUANTITY = 2_000_000_000
MAX_DEPTH = 20


class SupplierKey(HttpBearer):
    """``Authorization: Bearer <key>`` → the supplier's active token (approved or suspended supplier)."""

    def __call__(self, request: HttpRequest):
        if not request.headers.get("Authorization"):
            request.trace_auth_problem = _("Send your API key: Authorization: Bearer <key>.")
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str):
        found = (
            ApiToken.objects.filter(key_hash=services.api_token_hash(token.strip()))
            .select_related("supplier__partner")
            .first()
        )
        if found is None or found.revoked_at is not None:
            request.trace_auth_problem = _("This API key is unknown or was revoked.")
            return None
        if found.supplier.status not in (Supplier.Status.APPROVED, Supplier.Status.SUSPENDED):
            request.trace_auth_problem = _("This supplier may not use the API.")
            return None
        services.api_token_touch(token=found)
        return found


# --- The body: JSON, bounded, and storable -----------------------------------------------------------
class BodyRefused(Exception):
    """A body refused before validation; answered with ``status`` and ``detail`` (see _http_error)."""

    def __init__(self, status: int, detail: str, errors: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors


class _Unstorable:
    """A JSON value no field may hold (NaN, Infinity, 1e309, a 25-digit integer), remembered as written."""

    def __init__(self, text: str):
        self.text = text[:40]


def _json_float(text: str):
    number = float(text)
    return number if number not in (float("inf"), float("-inf")) else _Unstorable(text)


def _json_int(text: str):
    return int(text) if len(text.lstrip("-")) <= 19 else _Unstorable(text)


class StrictJsonParser(Parser):
    """``application/json`` bodies only, at most MAX_BODY_BYTES of UTF-8, with no NaN or infinite
    number, no integer past 19 digits, no NUL or lone surrogate in a string, at most MAX_DEPTH deep."""

    def parse_body(self, request: HttpRequest):
        if request.content_type not in ("application/json", "") and not request.content_type.endswith(
            "+json"
        ):
            raise BodyRefused(
                415, _("Send the body as JSON, with the header Content-Type: application/json.")
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            raise BodyRefused(413, _too_large())
        try:
            body = request.body
        except RequestDataTooBig:
            raise BodyRefused(413, _too_large()) from None
        if len(body) > MAX_BODY_BYTES:
            raise BodyRefused(413, _too_large())
        try:
            data = json.loads(
                body.decode("utf-8"),
                parse_float=_json_float,
                parse_int=_json_int,
                parse_constant=_Unstorable,
            )
        except UnicodeDecodeError:
            raise BodyRefused(400, _("The body is not UTF-8 text.")) from None
        except (ValueError, RecursionError):
            raise BodyRefused(400, _("The body is not valid JSON.")) from None
        errors = _unstorable_values(data)
        if errors:
            raise BodyRefused(422, _("The request could not be accepted: see errors."), errors)
        return data


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _unstorable_values(data) -> dict[str, list[str]]:
    """Field path → problem, for every value the database could not store (walked without recursion)."""
    errors: dict[str, list[str]] = {}
    stack = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            errors.setdefault(path or "__all__", []).append(_("Nested too deep."))
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key or _LONE_SURROGATE.search(key):
                    errors.setdefault("__all__", []).append(_("A field name holds a character text cannot."))
                    continue
                stack.append((item, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(value, list):
            stack.extend(
                (item, f"{path}.{index}" if path else str(index), depth + 1)
                for index, item in enumerate(value)
            )
        elif isinstance(value, str):
            if "\x00" in value:
                errors.setdefault(path or "__all__", []).append(
                    _("Text cannot hold a NUL character (\\u0000).")
                )
            elif _LONE_SURROGATE.search(value):
                errors.setdefault(path or "__all__", []).append(
                    _("Text cannot hold a lone surrogate (an unpaired \\ud800–\\udfff escape).")
                )
        elif isinstance(value, _Unstorable):
            errors.setdefault(path or "__all__", []).append(
                _("“%(value)s” is not a number that can be stored.") % {"value": value.text}
            )
    return errors


def _too_large() -> str:
    return _("The body is larger than %(size)s KB.") % {"size": MAX_BODY_BYTES // 1024}


class BatchAPI(NinjaAPI):
    """Ninja, with JSON for the answers Ninja leaves to Django: 405, the root, paths it lacks (404)."""

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = _json_errors(pattern.callback)
        patterns.append(re_path(r"^.*$", _not_found, name="not-found"))
        return patterns


def _json_errors(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _not_found(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            answer = JsonResponse(
                {
                    "detail": _("This path does not take %(method)s; it takes %(allowed)s.")
                    % {"method": request.method, "allowed": allowed}
                },
                status=405,
            )
            answer["Allow"] = allowed
            return answer
        return response

    return wrapped


@csrf_exempt
def _not_found(request, *args, **kwargs):
    return JsonResponse(
        {
            "detail": _("The API has no %(path)s: see /api/v1/docs (paths end with a slash).")
            % {"path": request.path[:200]}
        },
        status=404,
    )


api = BatchAPI(
    title="Shiyan Select batch API",
    version="1",
    description=(
        "Create and read your batches (lots). Authenticate with the key from the cooperative portal "
        "(批次 → API): `Authorization: Bearer shy_…`. Dates are YYYY-MM-DD (Asia/Shanghai). "
        "A new batch is a draft; publish it in the portal after its inspection and certificate."
    ),
    urls_namespace="trace_api",
    auth=SupplierKey(),
    parser=StrictJsonParser(),
)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    refused = exc.__cause__ if isinstance(exc.__cause__, BodyRefused) else None
    if refused is not None:
        body = {"detail": refused.detail}
        if refused.errors:
            body["errors"] = refused.errors
        return api.create_response(request, body, status=refused.status)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def _body_too_big(request, exc):
    return api.create_response(request, {"detail": _too_large()}, status=413)


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    return api.create_response(request, {"detail": _("The request could not be read.")}, status=400)


@api.exception_handler(Exception)
def _server_error(request, exc):
    """A bug: logged and signalled as Django would, answered as JSON (never a page of HTML)."""
    logger.exception("batch API: %s %s failed", request.method, request.path)
    got_request_exception.send(sender=None, request=request)
    return api.create_response(
        request, {"detail": _("Something went wrong on our side; try again later.")}, status=500
    )


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    detail = getattr(request, "trace_auth_problem", "") or _("Send a valid API key.")
    response = api.create_response(request, {"detail": str(detail)}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="batches"'
    return response


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [
            str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")
        ]
        field = ".".join(location) or "__all__"
        errors.setdefault(field, []).append(_pydantic_message(error))
    return api.create_response(
        request, {"detail": _("The request could not be accepted: see errors."), "errors": errors}, status=422
    )


def _pydantic_message(error: dict) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field: see the schema at /api/v1/docs.")
    if kind in ("less_than_equal", "less_than"):
        return _("Enter a number of at most %(limit)s.") % {"limit": context.get("le", context.get("lt"))}
    if kind in ("greater_than", "greater_than_equal"):
        return _("Enter a number above %(limit)s.") % {"limit": context.get("gt", context.get("ge", 0) - 1)}
    if kind == "enum":
        return _("Choose one of: %(choices)s.") % {"choices": context.get("expected", "")}
    if kind == "string_too_long":
        return _("At most %(max)s characters.") % {"max": context.get("max_length")}
    if kind == "string_too_short":
        return _("This field cannot be empty.")
    if kind == "too_long":
        return _("At most %(max)s items.") % {"max": context.get("max_length")}
    if kind == "list_type":
        return _("Enter a list.")
    if kind == "finite_number":
        return _("Enter a finite number.")
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        return _("The number has too many digits.")
    if kind == "decimal_max_places":
        return _("At most %(places)s decimal places.") % {"places": context.get("decimal_places")}
    if kind.startswith("date"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind.startswith("int"):
        return _("Enter a whole number.")
    if kind.startswith("decimal") or kind.startswith("float"):
        return _("Enter a number.")
    if kind in ("json_invalid", "model_attributes_type", "dict_type"):
        return _("The body must be a JSON object.")
    if kind.startswith("string"):
        return _("Enter text.")
    return str(error.get("msg", _("Invalid value.")))


def _iso_date(value):
    """Dates are strings "YYYY-MM-DD", never numbers (pydantic would read 1700000000 as a timestamp)."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("date_format", "Enter a date as YYYY-MM-DD.")
    return value


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


class InputIn(Schema):
    model_config = ConfigDict(extra="forbid")

    batch_id: Id = Field(description="One of your batches it was made from.")
    quantity: Decimal = Field(
        gt=0,
        max_digits=12,
        decimal_places=3,
        allow_inf_nan=False,
        description='How much of it was used: a number, or a string like "2.5".',
    )
    unit: BatchUnit = BatchUnit.KG


class BatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    product: StrictStr = Field(
        description="The product's shop SKU or GTIN (see GET /products/).", min_length=1, max_length=255
    )
    base_id: Id = Field(description="One of your production bases (see GET /bases/).")
    lot_code: StrictStr = Field(
        "", max_length=20, description="Optional: generated from the harvest day when empty."
    )
    harvest_date: IsoDate
    packing_date: IsoDate | None = None
    best_before: IsoDate
    quantity: StrictInt = Field(le=MAX_QUANTITY, description="Units in the batch: a whole number above zero.")
    unit: BatchUnit = BatchUnit.PIECE
    notes: StrictStr = Field("", max_length=2000)
    inputs: list[InputIn] = Field(
        default_factory=list, max_length=50, description="Lineage: the batches it was made from."
    )


class BatchOut(Schema):
    id: int
    product_id: int
    product_title: str
    base_id: int
    base_name: str
    lot_code: str
    harvest_date: datetime.date
    packing_date: datetime.date | None
    best_before: datetime.date
    quantity: int
    unit: str
    quantity_remaining: int
    status: str
    trace_code: str | None
    trace_url: str | None
    created_at: datetime.datetime


class ProductOut(Schema):
    id: int
    sku: str
    gtin: str
    title: str


class BaseOut(Schema):
    id: int
    name: str
    county: str
    township: str


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


def _out(batch: Batch) -> dict:
    return {
        "id": batch.pk,
        "product_id": batch.product_id,
        "product_title": batch.product.get_title(),
        "base_id": batch.base_id,
        "base_name": batch.base.name,
        "lot_code": batch.lot_code,
        "harvest_date": batch.harvest_date,
        "packing_date": batch.packing_date,
        "best_before": batch.best_before,
        "quantity": batch.quantity,
        "unit": batch.unit,
        "quantity_remaining": batch.quantity_remaining,
        "status": batch.status,
        "trace_code": batch.trace_code,
        "trace_url": qr.trace_url(batch) if batch.trace_code else None,
        "created_at": batch.created_at,
    }


def _errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages] for field, errors in error.error_dict.items()
        }
    return {"__all__": [str(m) for m in error.messages]}


def _refused(errors: dict[str, list[str]]):
    return Status(422, {"detail": _("The batch was not created: see errors."), "errors": errors})


@api.get("/products/", response=list[ProductOut], summary="Your products (what a batch can be of)")
def list_products(request):
    supplier = request.auth.supplier
    records = selectors.StockRecord.objects.filter(partner_id=supplier.partner_id).select_related("product")
    return [
        {"id": r.product_id, "sku": r.partner_sku, "gtin": r.product.gtin, "title": r.product.get_title()}
        for r in records.order_by("product__title", "pk")
    ]


@api.get("/bases/", response=list[BaseOut], summary="Your production bases")
def list_bases(request):
    return [
        {"id": b.pk, "name": b.name, "county": b.county, "township": b.township}
        for b in selectors.supplier_bases(request.auth.supplier)
    ]


@api.get("/batches/", response=list[BatchOut], summary="Your batches, newest first (100 at most)")
def list_batches(request, status: Annotated[str, Query(max_length=20)] = ""):
    batches = selectors.portal_batches(
        supplier=request.auth.supplier, status=status if status in Batch.Status.values else ""
    )
    return [_out(batch) for batch in batches[:100]]


@api.get("/batches/{batch_id}/", response={200: BatchOut, 404: ErrorOut}, summary="One of your batches")
def get_batch(request, batch_id: Annotated[int, Path(ge=1, le=MAX_ID)]):
    batch = selectors.portal_batch(supplier=request.auth.supplier, pk=batch_id)
    if batch is None:
        return Status(404, {"detail": _("You have no batch %(id)s.") % {"id": batch_id}})
    return Status(200, _out(batch))


@api.post(
    "/batches/",
    response={201: BatchOut, 409: ErrorOut, 422: ErrorOut},
    summary="Record a new batch (a draft); send an Idempotency-Key header to retry safely",
)
def create_batch(request, payload: BatchIn):
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return _create_batch(request, payload)
    problem = idempotency.key_problem(key)
    if problem:
        return Status(
            422,
            {
                "detail": _("The request could not be accepted: see errors."),
                "errors": {"Idempotency-Key": [problem]},
            },
        )
    answer = idempotency.idempotent_answer(
        supplier=request.auth.supplier,
        key=key,
        fingerprint=idempotency.fingerprint(request.method, request.path, payload.model_dump(mode="json")),
        run=lambda: _rendered(request, _create_batch(request, payload)),
    )
    response = JsonResponse({}, status=answer.status_code)
    response.content = answer.body.encode()
    if answer.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _rendered(request, status: Status) -> tuple[int, str]:
    response = api.create_response(request, status.value, status=status.status_code)
    return response.status_code, response.content.decode()


def _create_batch(request, payload: BatchIn) -> Status:
    supplier = request.auth.supplier
    catalogue = imports.SupplierCatalogue.load(supplier)
    errors: dict[str, list[str]] = {}
    product = base = None
    try:
        product = catalogue.product(payload.product)
    except imports.CellError as error:
        errors["product"] = [str(error)]
    base = selectors.supplier_bases(supplier).filter(pk=payload.base_id).first()
    if base is None:
        errors["base_id"] = [_("You have no base %(id)s.") % {"id": payload.base_id}]
    if payload.lot_code:
        try:
            imports.check_lot_code(payload.lot_code.strip())
        except imports.CellError as error:
            errors["lot_code"] = [str(error)]
    if payload.quantity <= 0:
        errors["quantity"] = [_("The quantity must be more than zero.")]
    inputs = []
    for index, item in enumerate(payload.inputs):
        source = (
            Batch.objects.filter(pk=item.batch_id, base__supplier=supplier).select_related("base").first()
        )
        if source is None:
            errors.setdefault("inputs", []).append(
                _("Input %(n)s: you have no batch %(id)s.") % {"n": index + 1, "id": item.batch_id}
            )
        else:
            inputs.append(services.InputSpec(batch=source, quantity=item.quantity, unit=item.unit))
    if errors:
        return _refused(errors)
    try:
        batch = services.batch_create(
            product=product,
            base=base,
            lot_code=payload.lot_code.strip(),
            harvest_date=payload.harvest_date,
            packing_date=payload.packing_date,
            best_before=payload.best_before,
            quantity=payload.quantity,
            unit=payload.unit,
            notes=payload.notes,
            inputs=inputs,
            created_by=request.auth.created_by,
        )
    except DjangoValidationError as error:
        return _refused(_errors(error))
    except IntegrityError:  # the same lot code created by another request at the same moment
        message = _("Lot code %(lot)s was just taken by another request: nothing was created.") % {
            "lot": payload.lot_code.strip()
        }
        return Status(409, {"detail": message, "errors": {"lot_code": [message]}})
    return Status(201, _out(Batch.objects.select_related("product", "base").get(pk=batch.pk)))
