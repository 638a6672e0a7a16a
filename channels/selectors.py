"""Reads of the channels room: a user's membership, the desk's queues and figures, price lists.

Every read a manager's page makes is filtered by the manager's channels here, so a view cannot
forget to.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, Sum
from django.utils import timezone
from oscar.core.loading import get_model

from channels.models import Membership, Organisation, PriceList, PriceListEntry
from core.sales_channels import INSTITUTIONAL

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")

CANCELLED = "Cancelled"


def membership_for(user) -> Membership | None:
    """The signed-in user's membership and organisation, or None: decided by the database only."""
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.select_related("organisation").filter(user_id=user.pk).first()


# --- The desk ---------------------------------------------------------------------------------------
def month_start(today: datetime.date | None = None) -> datetime.datetime:
    today = today or timezone.localdate()
    return timezone.make_aware(datetime.datetime(today.year, today.month, 1))


def channel_sales_this_month(channels: list[str]) -> list[dict]:
    """Per channel (in the plan's order): orders placed since the 1st and their total, cancelled
    orders left out. One query."""
    totals = {
        row["channel"]: row
        for row in Order.objects.filter(channel__in=channels, date_placed__gte=month_start())
        .exclude(status=CANCELLED)
        .values("channel")
        .annotate(orders=Count("pk"), total=Sum("total_incl_tax"))
        .order_by()
    }
    return [
        {
            "channel": channel.value,
            "label": channel.label,
            "orders": totals.get(channel.value, {}).get("orders", 0),
            "total": totals.get(channel.value, {}).get("total") or 0,
        }
        for channel in INSTITUTIONAL
        if channel.value in channels
    ]


def organisations_awaiting(channels: list[str]):
    """Applications waiting for a decision, oldest first."""
    return (
        Organisation.objects.in_channels(channels)
        .filter(status=Organisation.Status.APPLIED)
        .order_by("created_at", "pk")
    )


def status_counts(channels: list[str]) -> dict[str, int]:
    return dict(
        Organisation.objects.in_channels(channels).order_by().values_list("status").annotate(n=Count("pk"))
    )


def organisations_for_desk(channels: list[str], *, status: str = "", channel: str = "", query: str = ""):
    organisations = Organisation.objects.in_channels(channels).annotate(member_count=Count("memberships"))
    if status in Organisation.Status.values:
        organisations = organisations.filter(status=status)
    if channel in channels:
        organisations = organisations.filter(channel=channel)
    query = query.strip()
    if query:
        organisations = organisations.filter(
            Q(name__icontains=query) | Q(short_name__icontains=query) | Q(uscc__iexact=query)
        )
    return organisations.order_by("-created_at", "-pk")


def price_lists_for_desk(channels: list[str]) -> tuple[list[dict], list[PriceList]]:
    """The channel lists (one per managed channel, existing or not) and the contract lists, with
    their entry counts. Two queries."""
    lists = list(
        PriceList.objects.filter(channel__in=channels)
        .select_related("organisation", "updated_by")
        .annotate(entry_count=Count("entries"))
        .order_by("channel", "organisation__short_name", "pk")
    )
    by_channel = {pl.channel: pl for pl in lists if pl.organisation_id is None}
    channel_lists = [
        {"channel": channel.value, "label": channel.label, "price_list": by_channel.get(channel.value)}
        for channel in INSTITUTIONAL
        if channel.value in channels
    ]
    return channel_lists, [pl for pl in lists if pl.organisation_id is not None]


def price_list_entries(price_list: PriceList | None):
    if price_list is None:
        return PriceListEntry.objects.none()
    return (
        price_list.entries.select_related("product", "product__parent")
        .prefetch_related("product__stockrecords")
        .order_by("product__title", "product_id", "valid_from")
    )


# --- A member's own price list ----------------------------------------------------------------------
def member_priced_count(organisation: Organisation, day: datetime.date | None = None) -> int:
    """How many products the organisation's members buy at their own prices today. One query."""
    day = day or timezone.localdate()
    return (
        PriceListEntry.objects.filter(
            Q(price_list__channel=organisation.channel, price_list__organisation__isnull=True)
            | Q(price_list__organisation=organisation),
            valid_from__lte=day,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .values("product_id")
        .distinct()
        .count()
    )


def member_price_rows(organisation: Organisation, day: datetime.date | None = None) -> list[dict]:
    """What the organisation's members pay today, product by product (the contract price where there
    is one, else the channel's), with the retail price next to it."""
    day = day or timezone.localdate()
    entries = (
        PriceListEntry.objects.filter(
            Q(price_list__channel=organisation.channel, price_list__organisation__isnull=True)
            | Q(price_list__organisation=organisation),
            valid_from__lte=day,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .select_related("product", "product__parent", "price_list")
        .prefetch_related("product__stockrecords")
    )
    chosen: dict[int, PriceListEntry] = {}
    for entry in entries:
        current = chosen.get(entry.product_id)
        if current is None or (entry.price_list.organisation_id and not current.price_list.organisation_id):
            chosen[entry.product_id] = entry
    rows = []
    for entry in sorted(chosen.values(), key=lambda e: (e.product.get_title(), e.product_id)):
        records = list(entry.product.stockrecords.all())
        rows.append(
            {
                "entry": entry,
                "product": entry.product,
                "retail": records[0].price if records else None,
                "is_contract": bool(entry.price_list.organisation_id),
            }
        )
    return rows
