"""A small known sales data set for the impact figures, built straight from the models.

Orders are written as checkout, payment and delivery leave them (status, lines, "Paid" and
"Refunded" payment events with their dates, organisation links and deliveries), so the roll-ups
read exactly what they read in production; every figure in the tests is computed by hand from it.
"""

import datetime
import itertools
import zoneinfo
from decimal import Decimal

import pytest
from oscar.core.loading import get_model

from channels.models import Delivery, DeliveryLine, Organisation, OrganisationOrder
from core.places import County
from core.sales_channels import SalesChannel
from impact.models import SupplierHouseholdDeclaration
from impact.signals import order_changed
from tests.factories.catalogue import ShiyanProductFactory
from tests.factories.channels import DeliverySiteFactory, OrganisationFactory
from tests.factories.order import BeijingShippingAddressFactory
from tests.factories.suppliers import SupplierFactory

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
Category = get_model("catalogue", "Category")
ProductCategory = get_model("catalogue", "ProductCategory")

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(text: str) -> datetime.datetime:
    """A Beijing-time moment, e.g. at("2026-04-01 00:30")."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def pay(order, when, amount=None, name="Paid"):
    event_type, _created = PaymentEventType.objects.get_or_create(name=name)
    event = PaymentEvent.objects.create(
        order=order,
        amount=Decimal(amount if amount is not None else order.total_incl_tax),
        event_type=event_type,
    )
    PaymentEvent.objects.filter(pk=event.pk).update(date_created=when)
    order_changed(order.pk)  # the event happened at ``when``: mark that day (the save marked today)
    return event


def refund(order, when, amount):
    return pay(order, when, amount, name="Refunded")


def order_of(
    lines, *, channel=SalesChannel.RETAIL, district="朝阳区", shipping="0", status="Paid", site=None
):
    """An order of ``[(product, quantity, line_total, line_status)]`` (line_status optional)."""
    address = BeijingShippingAddressFactory(line4=district)
    total = sum(Decimal(row[2]) for row in lines if (row[3] if len(row) > 3 else "Paid") != "Cancelled")
    order = Order.objects.create(
        number=f"IMP{next(_numbers):06d}",
        currency="CNY",
        total_incl_tax=total + Decimal(shipping),
        total_excl_tax=total + Decimal(shipping),
        shipping_incl_tax=Decimal(shipping),
        shipping_excl_tax=Decimal(shipping),
        shipping_address=address,
        status=status,
        channel=channel,
    )
    for row in lines:
        product, quantity, line_total = row[:3]
        line_status = row[3] if len(row) > 3 else status
        stockrecord = product.stockrecords.first()
        Line.objects.create(
            order=order,
            partner=stockrecord.partner,
            partner_name=stockrecord.partner.name,
            partner_sku=stockrecord.partner_sku,
            stockrecord=stockrecord,
            product=product,
            title=product.title,
            quantity=quantity,
            line_price_incl_tax=Decimal(line_total),
            line_price_excl_tax=Decimal(line_total),
            line_price_before_discounts_incl_tax=Decimal(line_total),
            line_price_before_discounts_excl_tax=Decimal(line_total),
            unit_price_incl_tax=Decimal(line_total) / quantity,
            unit_price_excl_tax=Decimal(line_total) / quantity,
            status=line_status,
            num_allocated=0,
        )
    return order


def deliver(order, site, *, when=None, status=Delivery.Status.PLANNED):
    link = OrganisationOrder.objects.get_or_create(order=order, defaults={"organisation": site.organisation})[
        0
    ]
    delivery = Delivery.objects.create(
        organisation_order=link,
        site=site,
        date=(when or at("2026-01-01 00:00")).date(),
        status=status,
        delivered_at=when,
    )
    for line in order.lines.all():
        DeliveryLine.objects.create(delivery=delivery, line=line)
    delivery.save()  # now with its lines: the save marks the delivered day
    return delivery


def product_of(supplier, *, brand, category, title):
    from tests.factories.catalogue import ShiyanStockRecordFactory

    product = ShiyanProductFactory(title=title, brand=brand, origin_county=supplier.county)
    ShiyanStockRecordFactory(product=product, partner=supplier.partner)
    ProductCategory.objects.create(product=product, category=category)
    return product


class Known:
    """The hand-made data set (see tests/impact/test_figures.py for the expected figures)."""


@pytest.fixture
def known(db):
    k = Known()
    k.fungi = Category.add_root(name="食用菌")
    k.dried = k.fungi.add_child(name="干货")
    k.tea = Category.add_root(name="茶叶")
    k.a = SupplierFactory(county=County.FANGXIAN, short_name="房县甲社")
    k.b = SupplierFactory(county=County.ZHUSHAN, short_name="竹山乙社")
    k.c = SupplierFactory(county=County.YUNXI, short_name="郧西丙社")
    SupplierHouseholdDeclaration.objects.create(supplier=k.a, year=2025, households=100)
    SupplierHouseholdDeclaration.objects.create(supplier=k.a, year=2026, households=150)
    SupplierHouseholdDeclaration.objects.create(supplier=k.a, year=2027, households=999)
    SupplierHouseholdDeclaration.objects.create(supplier=k.b, year=2024, households=40)
    SupplierHouseholdDeclaration.objects.create(supplier=k.c, year=2026, households=70)
    k.p1 = product_of(k.a, brand="房县香菇", category=k.fungi, title="房县香菇")
    k.p2 = product_of(k.a, brand="房县黑木耳", category=k.dried, title="房县黑木耳")
    k.p3 = product_of(k.b, brand="竹山绿茶", category=k.tea, title="竹山绿茶")
    k.p4 = product_of(k.c, brand="郧西茶", category=k.tea, title="郧西马头山茶")

    school = OrganisationFactory(channel=SalesChannel.SCHOOL)
    k.site = DeliverySiteFactory(organisation=school, district="海淀区")
    on_account = OrganisationFactory(
        channel=SalesChannel.SCHOOL, payment_mode=Organisation.PaymentMode.ON_ACCOUNT
    )
    k.account_site = DeliverySiteFactory(organisation=on_account, district="海淀区")

    # O1 retail, 朝阳区, paid 10 March: 100 + 50 (shipping 10 is not a sale).
    k.o1 = order_of([(k.p1, 2, "100.00"), (k.p3, 1, "50.00")], shipping="10")
    pay(k.o1, at("2026-03-10 10:00"))
    # O2 school (pays when ordering), delivered to 海淀区, paid 1 April 00:30 Beijing time (31 March
    # in UTC), 50 of 200 refunded on 2 May: counts 150 in April.
    k.o2 = order_of([(k.p2, 4, "200.00")], channel=SalesChannel.SCHOOL, district="东城区")
    deliver(k.o2, k.site)
    pay(k.o2, at("2026-04-01 00:30"))
    refund(k.o2, at("2026-05-02 09:00"), "50.00")
    # O3 paid then cancelled: nothing.
    k.o3 = order_of([(k.p1, 1, "80.00")], district="丰台区")
    pay(k.o3, at("2026-04-15 12:00"))
    Order.objects.filter(pk=k.o3.pk).update(status="Cancelled")
    # O4 never paid: nothing.
    k.o4 = order_of([(k.p4, 1, "30.00")], status="Pending payment")
    # O5 on account, delivered 20 June: 120 counts; its cancelled line (40) does not.
    k.o5 = order_of(
        [(k.p3, 2, "120.00"), (k.p1, 1, "40.00", "Cancelled")],
        channel=SalesChannel.SCHOOL,
        status="Shipped",
    )
    deliver(k.o5, k.account_site, when=at("2026-06-20 15:00"), status=Delivery.Status.DELIVERED)
    # O6 paid on 31 December 2025 (Beijing): last year.
    k.o6 = order_of([(k.p1, 1, "100.00")])
    pay(k.o6, at("2025-12-31 23:00"))
    # O7 paid 5 July, outside Beijing, refunded in full: nothing.
    k.o7 = order_of([(k.p2, 1, "60.00")], district="浦东新区")
    pay(k.o7, at("2026-07-05 08:00"))
    refund(k.o7, at("2026-07-06 08:00"), "60.00")
    # O8 supermarket channel, 西城区, paid 8 August: 45.
    k.o8 = order_of([(k.p3, 1, "45.00")], channel=SalesChannel.SUPERMARKET, district="西城区")
    pay(k.o8, at("2026-08-08 11:00"))
    return k
