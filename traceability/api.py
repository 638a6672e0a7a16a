"""The batch API for cooperatives' own systems: ``/api/v1/`` (django-ninja), schema at ``openapi.json``.

Authentication is a per-supplier key sent as ``Authorization: Bearer shy_…`` (created and revoked in
the portal; only its SHA-256 is stored). A key sees and creates only its own supplier's batches: another
supplier's product, base or batch is refused with a clear JSON error, and nothing is written.

Errors are JSON, in the language of ``Accept-Language`` (Chinese by default):
``401 {"detail": …}`` for a missing, unknown or revoked key; ``422 {"detail": …, "errors": {field: [...]}}``
for a request that cannot be accepted; ``404 {"detail": …}`` for a batch that is not yours.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import Status
from ninja.security import HttpBearer
from pydantic import Field

from suppliers.models import Supplier
from traceability import imports, qr, selectors, services
from traceability.models import ApiToken, Batch, BatchUnit


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


api = NinjaAPI(
    title="Shiyan Select batch API",
    version="1",
    description=(
        "Create and read your batches (lots). Authenticate with the key from the cooperative portal "
        "(批次 → API): `Authorization: Bearer shy_…`. Dates are YYYY-MM-DD (Asia/Shanghai). "
        "A new batch is a draft; publish it in the portal after its inspection and certificate."
    ),
    urls_namespace="trace_api",
    auth=SupplierKey(),
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
    if kind == "missing":
        return _("This field is required.")
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


class InputIn(Schema):
    batch_id: int = Field(description="One of your batches it was made from.")
    quantity: Decimal = Field(gt=0, description="How much of it was used.")
    unit: BatchUnit = BatchUnit.KG


class BatchIn(Schema):
    product: str = Field(description="The product's shop SKU or GTIN (see GET /products/).", min_length=1)
    base_id: int = Field(description="One of your production bases (see GET /bases/).")
    lot_code: str = Field(
        "", max_length=20, description="Optional: generated from the harvest day when empty."
    )
    harvest_date: datetime.date
    packing_date: datetime.date | None = None
    best_before: datetime.date
    quantity: int = Field(description="Units in the batch, more than zero.")
    unit: BatchUnit = BatchUnit.PIECE
    notes: str = ""
    inputs: list[InputIn] = Field(default_factory=list, description="Lineage: the batches it was made from.")


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
def list_batches(request, status: str = ""):
    batches = selectors.portal_batches(
        supplier=request.auth.supplier, status=status if status in Batch.Status.values else ""
    )
    return [_out(batch) for batch in batches[:100]]


@api.get("/batches/{batch_id}/", response={200: BatchOut, 404: ErrorOut}, summary="One of your batches")
def get_batch(request, batch_id: int):
    batch = selectors.portal_batch(supplier=request.auth.supplier, pk=batch_id)
    if batch is None:
        return Status(404, {"detail": _("You have no batch %(id)s.") % {"id": batch_id}})
    return Status(200, _out(batch))


@api.post("/batches/", response={201: BatchOut, 422: ErrorOut}, summary="Record a new batch (a draft)")
def create_batch(request, payload: BatchIn):
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
    return Status(201, _out(Batch.objects.select_related("product", "base").get(pk=batch.pk)))
