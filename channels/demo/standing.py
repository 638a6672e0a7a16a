"""The demo school's weekly standing delivery (issue 13, part 10): fruit and fungi for the 海淀校区
canteen every Monday, Wednesday and Friday, National Day week skipped. The hourly job turns each day
into an order two days ahead; the desk and the school's pages show the coming week. Idempotent: the
schedule is found by organisation and name, and left alone once it exists (the school may change it)."""

from __future__ import annotations

import datetime

from channels.models import StandingOrder, StandingOrderLine

NAME = "每周一三五 食堂水果菌菇"
STARTS_ON = datetime.date(2025, 9, 1)
SKIP = [datetime.date(2026, 10, day).isoformat() for day in range(1, 8)]
# (partner code, item) → quantity: whole cases, at least the minimum (the contract's citrus: case 4,
# minimum 8; the channel's 木耳: case 6, minimum 12).
LINES = (
    (("danjiangkou-citrus-coop", 1), 8),
    (("fangxian-muer-farm", 1), 12),
)


def seed_standing(*, school, products, by) -> int:
    """The school's standing delivery; returns 1 when it was created, 0 when it existed."""
    site = school.sites.filter(name="海淀校区").first()
    if site is None or StandingOrder.objects.filter(organisation=school, name=NAME).exists():
        return 0
    lines = [(products[key], quantity) for key, quantity in LINES if key in products]
    if not lines:
        return 0
    standing = StandingOrder.objects.create(
        organisation=school,
        site=site,
        name=NAME,
        weekdays=[0, 2, 4],
        starts_on=STARTS_ON,
        skip_dates=SKIP,
        po_number="HDSY-常年-2026",
        note="早上7点前送到食堂后门",
        created_by=by,
    )
    StandingOrderLine.objects.bulk_create(
        [StandingOrderLine(standing_order=standing, product=product, quantity=q) for product, q in lines]
    )
    return 1
