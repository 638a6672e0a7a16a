"""Demo sales for the impact pages: a year of paid orders, so a fresh `make run` shows figures.

Idempotent: the orders are numbered IMPACT-DEMO-…; a second run adds none. Households are declared
for every supplier from its profile (this year and last). The roll-ups are rebuilt at the end.
Orders are written straight to the tables (no stock moves, no e-mails): they are past sales.
"""

import datetime
import random
import zoneinfo
from decimal import Decimal

from django.utils import timezone
from oscar.core.loading import get_model

from core.places import BeijingDistrict
from core.sales_channels import SalesChannel
from suppliers.models import Supplier

from . import rollup
from .models import SupplierHouseholdDeclaration

Order = get_model("order", "Order")
Line = get_model("order", "Line")
ShippingAddress = get_model("order", "ShippingAddress")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
StockRecord = get_model("partner", "StockRecord")
Country = get_model("address", "Country")

PREFIX = "IMPACT-DEMO-"
ORDERS = 720
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Weighted: schools and retail sell most in the demo, as in the plan's first year.
CHANNEL_WEIGHTS = {
    SalesChannel.SCHOOL: 4,
    SalesChannel.RETAIL: 4,
    SalesChannel.SUPERMARKET: 2,
    SalesChannel.ENTERPRISE: 2,
    SalesChannel.RESTAURANT: 1,
}


def _declarations(today):
    for supplier in Supplier.objects.filter(households_supported__gt=0):
        for year, share in ((today.year - 1, Decimal("0.9")), (today.year, Decimal("1"))):
            SupplierHouseholdDeclaration.objects.get_or_create(
                supplier=supplier,
                year=year,
                defaults={"households": max(1, int(supplier.households_supported * share))},
            )


def _orders(today, count):
    records = list(
        StockRecord.objects.filter(partner__supplier__isnull=False, price__isnull=False)
        .select_related("product", "partner")
        .order_by("pk")
    )
    if not records:
        return 0
    country = Country.objects.filter(iso_3166_1_a2="CN").first()
    rng = random.Random(2026)
    paid = PaymentEventType.objects.get_or_create(name=rollup.PAID_EVENT)[0]
    refunded = PaymentEventType.objects.get_or_create(name=rollup.REFUNDED_EVENT)[0]
    channels = list(CHANNEL_WEIGHTS)
    weights = list(CHANNEL_WEIGHTS.values())
    created = 0
    for n in range(count):
        number = f"{PREFIX}{n + 1:05d}"
        if Order.objects.filter(number=number).exists():
            continue
        day = today - datetime.timedelta(days=rng.randint(1, 365))
        moment = datetime.datetime.combine(
            day, datetime.time(rng.randint(8, 21), rng.randint(0, 59)), SHANGHAI
        )
        picked = rng.sample(records, k=min(len(records), rng.randint(1, 3)))
        lines = [(record, rng.randint(1, 6)) for record in picked]
        total = sum((record.price * quantity for record, quantity in lines), Decimal("0"))
        address = ShippingAddress.objects.create(
            last_name="演示买家",
            line1="演示路1号",
            line4=rng.choice(BeijingDistrict.values),
            state="北京市",
            postcode="100000",
            country=country,
        )
        order = Order.objects.create(
            number=number,
            currency="CNY",
            total_incl_tax=total,
            total_excl_tax=total,
            shipping_incl_tax=0,
            shipping_excl_tax=0,
            shipping_address=address,
            status="Complete",
            channel=rng.choices(channels, weights)[0],
            guest_email="demo-buyer@example.com",
        )
        Order.objects.filter(pk=order.pk).update(date_placed=moment)
        for record, quantity in lines:
            price = record.price * quantity
            Line.objects.create(
                order=order,
                partner=record.partner,
                partner_name=record.partner.name,
                partner_sku=record.partner_sku,
                stockrecord=record,
                product=record.product,
                title=record.product.get_title(),
                quantity=quantity,
                line_price_incl_tax=price,
                line_price_excl_tax=price,
                line_price_before_discounts_incl_tax=price,
                line_price_before_discounts_excl_tax=price,
                unit_price_incl_tax=record.price,
                unit_price_excl_tax=record.price,
                status="Complete",
                num_allocated=0,
            )
        events = [PaymentEvent(order=order, amount=total, event_type=paid)]
        if n % 25 == 0:
            events.append(
                PaymentEvent(order=order, amount=(total / 4).quantize(Decimal("0.01")), event_type=refunded)
            )
        for event in events:
            event.save()
        PaymentEvent.objects.filter(order=order).update(date_created=moment)
        created += 1
    return created


def seed(command=None, *, orders: int = ORDERS) -> None:
    today = timezone.localdate()
    _declarations(today)
    created = _orders(today, orders)
    if not created:
        # Seeded before: the roll-ups already hold these orders (and the sweep keeps them so).
        if command is not None:
            command.stdout.write("  impact: demo orders already there, nothing to do")
        return
    seconds = rollup.rollups_rebuild()
    if command is not None:
        command.stdout.write(
            f"  impact: {created} demo orders over the last year, roll-ups rebuilt in {seconds:.1f} s"
        )
