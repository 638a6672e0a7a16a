"""Reads: the public trace page, the batch on sale for a product page, the portal's scoped lists,
Digital Link resolution, and the trace page's cache keys.

Portal reads start from the signed-in user's supplier, so another supplier's id simply finds nothing.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Prefetch, Q
from oscar.core.loading import get_model

from core.validators import gtin_check_digit
from suppliers.models import BasePhoto, ProductionBase, Supplier
from traceability.chain import ChainReport
from traceability.models import (
    ApiToken,
    Batch,
    BatchInput,
    FarmInput,
    Inspection,
    InspectionItem,
    TraceEvent,
)

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

#: Batch statuses with a public trace page (a draft has no trace code yet).
TRACEABLE_STATUSES = (
    Batch.Status.PUBLISHED,
    Batch.Status.ON_HOLD,
    Batch.Status.RECALLED,
    Batch.Status.SOLD_OUT,
)

# --- The trace page's cache -------------------------------------------------------------------------
#: The whole rendered page (and the EPCIS export) is cached per batch and language in two layers: the
#: shared cache (Redis in production) for TRACE_PAGE_CACHE_SECONDS, and this process's memory for
#: TRACE_PAGE_LOCAL_SECONDS, so a scan costs no network round trip at all most of the time. Every write
#: through the services (and every ``Batch.save()``) forgets both at once in the writing process and the
#: shared layer for everyone; other processes' memory copies live on for at most TRACE_PAGE_LOCAL_SECONDS.
#: A change that bypasses all that (``QuerySet.update``) shows within TRACE_PAGE_MAX_STALE_SECONDS.
TRACE_PAGE_CACHE_SECONDS = 3
TRACE_PAGE_LOCAL_SECONDS = 2
TRACE_PAGE_MAX_STALE_SECONDS = TRACE_PAGE_CACHE_SECONDS + TRACE_PAGE_LOCAL_SECONDS  # 5
_LOCAL_MAX_ENTRIES = 512
_local_pages: dict[str, tuple[float, str]] = {}


def trace_page_cache_key(code: str, language: str, kind: str = "page") -> str:
    return f"traceability:{kind}:{code}:{language}"


def trace_page_cached(key: str) -> str | None:
    """The cached page for ``key`` from this process's memory, else from the shared cache."""
    now = time.monotonic()
    local = _local_pages.get(key)
    if local is not None and local[0] > now:
        return local[1]
    body = cache.get(key)
    if body is not None:
        _remember(key, body, now)
    return body


def trace_page_store(key: str, body: str) -> None:
    cache.set(key, body, TRACE_PAGE_CACHE_SECONDS)
    _remember(key, body, time.monotonic())


def _remember(key: str, body: str, now: float) -> None:
    if len(_local_pages) >= _LOCAL_MAX_ENTRIES:
        _local_pages.clear()  # a crude bound: entries live two seconds anyway
    _local_pages[key] = (now + TRACE_PAGE_LOCAL_SECONDS, body)


def trace_page_forget(*batches: Batch) -> None:
    """Forget the cached trace page (every language) and EPCIS export of these batches."""
    keys = []
    for batch in batches:
        if batch.trace_code:
            keys.extend(
                trace_page_cache_key(batch.trace_code, language) for language, _name in settings.LANGUAGES
            )
            keys.append(trace_page_cache_key(batch.trace_code, "-", "epcis"))
    if keys:
        cache.delete_many(keys)
        for key in keys:
            _local_pages.pop(key, None)


def trace_page_cache_clear() -> None:
    """Empty this process's memory layer (tests, benchmarks)."""
    _local_pages.clear()


# --- The public trace page ---------------------------------------------------------------------------
@dataclass
class TraceView:
    """Everything the trace page shows about one batch, read in a fixed number of queries."""

    batch: Batch
    events: list[TraceEvent]
    chain: ChainReport
    inspections: list[Inspection]
    certificate: object | None
    inputs: list[BatchInput]
    outputs: list[BatchInput]
    photos: list[BasePhoto] = field(default_factory=list)
    corrected_ids: set[int] = field(default_factory=set)

    @property
    def timeline(self) -> list[TraceEvent]:
        """Events as they happened (the chain keeps the order they were recorded in)."""
        return sorted(self.events, key=lambda event: (event.event_time, event.sequence))

    @property
    def supplier(self) -> Supplier:
        return self.batch.base.supplier


def batch_for_trace(code: str) -> TraceView | None:
    """The batch behind a trace code with all it shows (7 queries), or None for an unknown code.

    No order, allocation or buyer is read: the page cannot leak them.
    """
    batch = (
        Batch.objects.filter(trace_code=code, status__in=TRACEABLE_STATUSES)
        .select_related(
            "product__product_class",
            "product__parent__product_class",
            "base__supplier",
            "certificate__inspection",
        )
        .first()
    )
    if batch is None:
        return None
    events = list(
        TraceEvent.objects.filter(batch=batch)
        .select_related("base__supplier", "inspection")
        .order_by("sequence")
    )
    inspections = list(
        Inspection.objects.filter(batch=batch)
        .prefetch_related(Prefetch("items", queryset=InspectionItem.objects.order_by("pk")))
        .order_by("-sampling_date", "-pk")
    )
    lineage = BatchInput.objects.select_related("input__product", "output__product", "input__base__supplier")
    inputs = list(lineage.filter(output=batch).order_by("pk"))
    outputs = list(lineage.filter(input=batch, output__status__in=TRACEABLE_STATUSES).order_by("pk"))
    photos = list(BasePhoto.objects.filter(base_id=batch.base_id).order_by("display_order", "pk")[:6])
    certificate = getattr(batch, "certificate", None)  # a missing reverse one-to-one is an AttributeError
    from traceability.anchors import batch_chain_check

    return TraceView(
        batch=batch,
        events=events,
        # The events' chain, then its newest anchor against the events, the batch's own fields, its
        # lineage, inspections and certificate (already read: one more query, for the anchors).
        chain=batch_chain_check(
            batch, events=events, inputs=inputs, inspections=inspections, certificate=certificate
        ),
        inspections=inspections,
        certificate=certificate,
        inputs=inputs,
        outputs=outputs,
        photos=photos,
        corrected_ids={event.corrects_id for event in events if event.corrects_id},
    )


def inspection_report_for_trace(code: str, pk: int) -> Inspection | None:
    """An inspection whose report file the trace page of ``code`` links (the batch's own, with a file)."""
    return (
        Inspection.objects.filter(pk=pk, batch__trace_code=code, batch__status__in=TRACEABLE_STATUSES)
        .exclude(report_file="")
        .first()
    )


def batch_on_sale(product) -> Batch | None:
    """The batch a buyer of ``product`` gets next: published, units left, earliest best-before (1 query)."""
    return (
        Batch.objects.filter(
            Q(product=product) | Q(product__parent=product),
            status=Batch.Status.PUBLISHED,
            quantity_remaining__gt=0,
            trace_code__isnull=False,
        )
        .only("id", "trace_code", "lot_code", "harvest_date", "best_before", "product_id")
        .order_by("best_before", "pk")
        .first()
    )


# --- GS1 Digital Link ------------------------------------------------------------------------------
def gtin14_or_none(value: str) -> str | None:
    """``value`` as a GTIN-14 when it is a GTIN-8/12/13/14 with a correct check digit, else None."""
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        return None
    padded = value.zfill(14)
    if gtin_check_digit(padded[:-1]) != int(padded[-1]):
        return None
    return padded


def batch_for_digital_link(gtin14: str, lot: str) -> Batch | None:
    """The traceable batch of this lot of the product whose stored GTIN (8–14 digits) pads to ``gtin14``."""
    forms = {gtin14}
    for length in (13, 12, 8):
        if set(gtin14[: 14 - length]) == {"0"}:
            forms.add(gtin14[14 - length :])
    return (
        Batch.objects.filter(
            product__gtin__in=forms, lot_code=lot, status__in=TRACEABLE_STATUSES, trace_code__isnull=False
        )
        .only("id", "trace_code")
        .first()
    )


# --- Farm inputs ---------------------------------------------------------------------------------------
#: No pesticide has a pre-harvest interval anywhere near this long: inputs older than it cannot matter.
LONGEST_INTERVAL_DAYS = 365


def farm_inputs_applying(*, base_id: int, product_id: int, until: datetime.date):
    """Inputs on the base (for this product or the whole base) whose interval could cover ``until``."""
    return FarmInput.objects.filter(
        Q(product_id=product_id) | Q(product__isnull=True),
        base_id=base_id,
        applied_on__lte=until,
        applied_on__gte=until - datetime.timedelta(days=LONGEST_INTERVAL_DAYS),
        pre_harvest_interval_days__gt=0,
    )


# --- The portal ------------------------------------------------------------------------------------
def supplier_products(supplier: Supplier):
    """Products the supplier sells: those with a stock record of its partner (what batches are for)."""
    if supplier.partner_id is None:
        return Product.objects.none()
    return (
        Product.objects.filter(
            Exists(StockRecord.objects.filter(partner_id=supplier.partner_id, product=OuterRef("pk")))
        )
        .select_related("product_class", "parent__product_class")
        .order_by("title", "pk")
    )


def supplier_bases(supplier: Supplier):
    return ProductionBase.objects.filter(supplier=supplier).order_by("name", "pk")


def portal_batches(*, supplier: Supplier, status: str = "", query: str = ""):
    batches = Batch.objects.filter(base__supplier=supplier).select_related("product", "base")
    if status:
        batches = batches.filter(status=status)
    if query:
        batches = batches.filter(Q(lot_code__icontains=query) | Q(product__title__icontains=query))
    return batches.order_by("-created_at", "-pk")


def portal_batch(*, supplier: Supplier, pk: int) -> Batch | None:
    return (
        Batch.objects.filter(pk=pk, base__supplier=supplier)
        .select_related("product__product_class", "product__parent__product_class", "base__supplier")
        .first()
    )


def portal_farm_inputs(*, supplier: Supplier):
    return FarmInput.objects.filter(base__supplier=supplier).select_related("base", "product")


def portal_api_tokens(*, supplier: Supplier):
    return ApiToken.objects.filter(supplier=supplier).order_by("-created_at", "-pk")


def batch_events(batch: Batch) -> list[TraceEvent]:
    return list(
        TraceEvent.objects.filter(batch=batch).select_related("base", "inspection").order_by("sequence")
    )


def batch_chain_report(batch: Batch) -> ChainReport:
    from traceability.anchors import batch_chain_check

    return batch_chain_check(batch)
