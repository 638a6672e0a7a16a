"""Demo quotes (issue 13, part 3): the school asks for one quote in each state, run by
``seed_demo`` after ``channels.demo`` (see DEMO_MODULES). Through the services, as people would:
the school's member asks, the demo channel manager prices, the member accepts (an order is placed
and allocated), declines, or lets one expire. Seeding again writes nothing (the notes mark them)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from channels.demo import MANAGER_EMAIL, _products
from channels.models import Membership, Quote
from channels.services import quotes
from core.sales_channels import SalesChannel

SCHOOL_EMAIL = "school@demo.shiyan.example"
MARK = "【演示】"
# (state, note, [(product key, quantity)], price share of the list price)
QUOTES = (
    ("requested", "秋季学期开学第一周食堂备货，请报价", [(("fangxian-mushroom-coop", 2), 60)], None),
    ("priced", "期中考试周加餐，请报价", [(("danjiangkou-citrus-coop", 1), 40)], "0.90"),
    ("accepted", "教师节职工慰问品", [(("zhushan-tea-coop", 2), 24)], "0.85"),
    ("declined", "运动会补给（已改期）", [(("yunxi-mountain-farm", 1), 30)], "0.95"),
    ("expired", "上学期末聚餐（已过期）", [(("fangxian-muer-farm", 1), 20)], "0.90"),
)


def seed(command) -> None:
    User = get_user_model()
    member = User.objects.filter(email__iexact=SCHOOL_EMAIL).first()
    manager = User.objects.filter(email__iexact=MANAGER_EMAIL).first()
    membership = (
        Membership.objects.filter(user=member).select_related("organisation").first() if member else None
    )
    if membership is None or manager is None or membership.organisation.channel != SalesChannel.SCHOOL:
        command.stdout.write("  channels quotes: no demo accounts, no quotes")
        return
    organisation = membership.organisation
    if Quote.objects.filter(organisation=organisation, note__startswith=MARK).exists():
        return
    site = organisation.sites.filter(is_active=True).first()
    products = _products()
    today = timezone.localdate()
    made = 0
    for state, note, wanted, share in QUOTES:
        lines = [(products[key], quantity) for key, quantity in wanted if key in products]
        if site is None or not lines:
            continue
        quote = quotes.quote_request(
            user=member,
            site=site,
            delivery_date=today + datetime.timedelta(days=10),
            lines=lines,
            note=MARK + note,
        )
        made += 1
        if share is None:
            continue
        listed = quotes.list_prices(organisation, [line.product_id for line in quote.lines.all()])
        quotes.quote_price(
            quote=quote,
            by=manager,
            prices={
                line.pk: (listed[line.product_id] * Decimal(share)).quantize(Decimal("0.01"))
                for line in quote.lines.all()
            },
            valid_until=today + datetime.timedelta(days=7),
            note="价格含送货上门，按箱配送。",
        )
        if state == "accepted":
            quotes.quote_accept(quote=quote, user=member, po_number="HD-2026-091")
        elif state == "declined":
            quotes.quote_decline(quote=quote, by=member)
        elif state == "expired":
            Quote.objects.filter(pk=quote.pk).update(valid_until=today - datetime.timedelta(days=1))
            quotes.quotes_expire()
    command.stdout.write(f"  channels quotes: {made} quotes for {organisation}, one in each state")
