"""Demo assistance ledgers (issue 13, part 9): a year of each demo organisation's purchases, so its
ledger, the desk's view of it and the impact figures show meaningful amounts; and the school's pledge.

Run by ``channels.demo.accounts`` (after the payment terms are set, before ``impact.demo`` rebuilds
the roll-ups). Like ``impact.demo``, the orders are written as placement, delivery and payment leave
them (lines, the organisation's link confirmed by the channel manager, a delivery to its first site
marked delivered two days later, a "Paid" event for an organisation paying when ordering), without
taking stock or batches. Two orders a month from January of this year until last week, numbered
``LEDGER-DEMO-<channel>-<nn>``; idempotent: an order found by its number is left alone, and the
pledge is set once.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_model

from channels.models import AssistancePledge, Delivery, DeliveryLine, Organisation, OrganisationOrder
from core.sales_channels import SalesChannel

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PREFIX = "LEDGER-DEMO-"
DAYS = (5, 19)  # of each month
#: Units per line (whole cases of 12 for the supermarket): what each kind of buyer takes at once.
QUANTITIES = {
    SalesChannel.SUPERMARKET: (48, 144, 12),
    SalesChannel.ENTERPRISE: (20, 60, 2),
    SalesChannel.SCHOOL: (24, 96, 4),
    SalesChannel.RESTAURANT: (4, 16, 1),
}
#: This year's pledge of the school (its admin may change it): what its purchases are measured against.
SCHOOL_PLEDGE = Decimal("200000.00")


def seed(command, *, products, manager_email: str, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    manager = get_user_model().objects.filter(email__iexact=manager_email).first()
    records = [product.stockrecords.all()[0] for product in products if product.stockrecords.all()]
    if not records:
        command.stdout.write("  channels assistance: no priced products, no demo purchases")
        return
    paid = PaymentEventType.objects.get_or_create(name="Paid")[0]
    written = 0
    for organisation in Organisation.objects.filter(status=Organisation.Status.APPROVED).order_by("pk"):
        if organisation.channel not in QUANTITIES or not organisation.email.endswith("@demo.shiyan.example"):
            continue
        written += _purchases(organisation, records, today=today, paid=paid, manager=manager)
    school = Organisation.objects.filter(
        channel=SalesChannel.SCHOOL, email__endswith="@demo.shiyan.example"
    ).first()
    if school is not None:
        AssistancePledge.objects.get_or_create(
            organisation=school, year=today.year, defaults={"amount": SCHOOL_PLEDGE, "set_by": None}
        )
    command.stdout.write(
        f"  channels assistance: {written} demo purchases this year, the school's pledge set"
    )


def _days(today: datetime.date) -> list[datetime.date]:
    last = today - datetime.timedelta(days=7)
    days = []
    for month in range(1, today.month + 1):
        days += [datetime.date(today.year, month, day) for day in DAYS]
    return [day for day in days if day <= last]


def _purchases(organisation, records, *, today, paid, manager) -> int:
    site = organisation.sites.filter(is_active=True).order_by("pk").first()
    if site is None:
        return 0
    member = get_user_model().objects.filter(email__iexact=organisation.email).first()
    low, high, step = QUANTITIES[organisation.channel]
    rng = random.Random(f"{organisation.channel}-{today.year}")  # noqa: S311 - demo data
    pays_now = organisation.payment_mode == Organisation.PaymentMode.PAY_NOW
    created = 0
    for n, day in enumerate(_days(today), 1):
        number = f"{PREFIX}{organisation.channel}-{today.year}-{n:02d}"
        picked = rng.sample(records, k=min(len(records), rng.randint(1, 3)))
        lines = [(record, rng.randrange(low, high + 1, step)) for record in picked]
        if Order.objects.filter(number=number).exists():
            continue
        placed_at = datetime.datetime.combine(day, datetime.time(9, 30), SHANGHAI)
        total = sum((record.price * quantity for record, quantity in lines), Decimal("0"))
        order = Order.objects.create(
            number=number,
            currency="CNY",
            total_incl_tax=total,
            total_excl_tax=total,
            shipping_incl_tax=0,
            shipping_excl_tax=0,
            status="Complete",
            channel=organisation.channel,
            user=member,
            guest_email="" if member else organisation.email,
        )
        Order.objects.filter(pk=order.pk).update(date_placed=placed_at)
        order_lines = [
            Line.objects.create(
                order=order,
                partner=record.partner,
                partner_name=record.partner.name,
                partner_sku=record.partner_sku,
                stockrecord=record,
                product=record.product,
                title=record.product.get_title(),
                upc=record.product.upc or "",
                quantity=quantity,
                line_price_incl_tax=record.price * quantity,
                line_price_excl_tax=record.price * quantity,
                line_price_before_discounts_incl_tax=record.price * quantity,
                line_price_before_discounts_excl_tax=record.price * quantity,
                unit_price_incl_tax=record.price,
                unit_price_excl_tax=record.price,
                status="Complete",
                num_allocated=quantity,
            )
            for record, quantity in lines
        ]
        link = OrganisationOrder.objects.create(
            order=order,
            organisation=organisation,
            placed_by=member,
            po_number=f"DEMO-{day:%Y%m%d}",
            confirmed_at=placed_at,
            confirmed_by=manager,
        )
        delivered_at = placed_at + datetime.timedelta(days=2, hours=5)
        delivery = Delivery.objects.create(
            organisation_order=link, site=site, date=delivered_at.date(), status=Delivery.Status.PLANNED
        )
        DeliveryLine.objects.bulk_create([DeliveryLine(delivery=delivery, line=line) for line in order_lines])
        delivery.status, delivery.delivered_at = Delivery.Status.DELIVERED, delivered_at
        delivery.save()  # with its lines: the impact roll-ups learn of the day
        if pays_now:
            event = PaymentEvent.objects.create(order=order, amount=total, event_type=paid)
            PaymentEvent.objects.filter(pk=event.pk).update(
                date_created=placed_at + datetime.timedelta(hours=1)
            )
        created += 1
    return created
