"""Template tags: the product page's link to the batch on sale, event times, and inline QR codes."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

from traceability import qr, selectors

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
