"""Template tags: the product page's link to the batch on sale, event times, and inline QR codes."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext_lazy

from traceability import qr, selectors
from traceability.models import BatchUnit

#: Units as written after a number ("39 件"); the choice labels explain them in forms.
UNIT_SHORT = {
    BatchUnit.PIECE: pgettext_lazy("unit after a number", "pcs"),
    BatchUnit.KG: pgettext_lazy("unit after a number", "kg"),
    BatchUnit.JIN: pgettext_lazy("unit after a number", "jin"),
    BatchUnit.LITRE: pgettext_lazy("unit after a number", "L"),
}

register = template.Library()


@register.inclusion_tag("traceability/partials/product_trace.html")
def batch_trace_link(product):
    """“Trace this batch” with its lot code, for the batch a buyer gets next; nothing if none. One query.

    For the product page: ``{% load traceability_tags %}{% batch_trace_link product %}``.
    """
    batch = selectors.batch_on_sale(product) if product is not None and product.pk else None
    return {"batch": batch}


@register.filter
def event_when(event) -> str:
    """The event's local date, with the time unless it is known by its date only."""
    local = timezone.localtime(event.event_time)
    if event.date_only:
        return date_format(local, "Y-m-d")
    return date_format(local, "Y-m-d H:i")


@register.simple_tag
def qr_inline(batch, scale=4, border=2):
    """The batch's trace URL as an inline ``<svg>`` QR code (for label sheets)."""
    return mark_safe(qr.qr_svg_inline(qr.trace_url(batch), scale=int(scale), border=int(border)))  # noqa: S308


@register.filter
def unit_short(unit: str) -> str:
    """``piece`` → "件" (after a number)."""
    return str(UNIT_SHORT.get(unit, unit))


@register.filter
def number(value) -> str:
    """A decimal without trailing zeros: 0.2100 → "0.21", 39.000 → "39"."""
    if value is None or value == "":
        return ""
    try:
        normal = Decimal(value).normalize()
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{normal:f}"


@register.simple_tag
def order_lines_traced(order):
    """The order's lines, each with ``batch_allocations`` prefetched (batch, base, cooperative).

    The buyer's order page lists each line's batches with links to their trace pages; two queries in
    all, however many lines and batches.
    """
    from django.db.models import Prefetch

    from traceability.models import BatchAllocation

    allocations = BatchAllocation.objects.select_related("batch__base__supplier").order_by(
        "batch__best_before", "batch_id"
    )
    return order.lines.prefetch_related(Prefetch("batch_allocations", queryset=allocations))
