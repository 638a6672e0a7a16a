"""Reads of quotes and bulk orders for the desk (issue 13, parts 3, 4 and 8), filtered by the
manager's channels like every desk read (``channels.selectors``)."""

from __future__ import annotations

from channels.models import OrganisationOrder, Quote

CANCELLED = "Cancelled"


def open_quotes(channels: list[str]):
    """Quotes to price (oldest first) and priced quotes waiting for the organisation."""
    return (
        Quote.objects.in_channels(channels)
        .open()
        .select_related("organisation", "site")
        .order_by("status", "created_at", "pk")
    )


def orders_to_confirm(channels: list[str]):
    """Organisations' orders no manager has confirmed yet, oldest first, cancelled ones left out."""
    return (
        OrganisationOrder.objects.filter(organisation__channel__in=list(channels), confirmed_at__isnull=True)
        .exclude(order__status=CANCELLED)
        .select_related("organisation", "order", "placed_by")
        .order_by("created_at", "pk")
    )
