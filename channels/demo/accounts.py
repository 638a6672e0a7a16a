"""Demo payment terms on account (issue 13, part 5): run by ``seed_demo`` after ``channels.demo``.

- 海淀实验中学 (农校) buys on account, 30 days, limit ¥50,000: two orders last month (one paid, one
  half paid) and one this week; last month's statement of account is made (PDF and XLSX).
- 华电科技职工食堂 (农企) buys on account, 15 days, limit ¥20,000: one order 50 days ago, unpaid, so
  35 days overdue (the desk's "Overdue accounts" shows it), with the statement of that month.
Orders go through the shop's own placement and ``OnAccount`` (stock and batches allocated, invoice
written, credit checked). Idempotent: orders are found by their number, statements by month; a second
run writes nothing. Without demo accounts (``DEMO_ACCOUNTS_ENABLED`` off) only the terms are set.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from channels.demo import MANAGER_EMAIL, ORGANISATIONS, PRICED_PRODUCTS, _products, assistance
from channels.models import Invoice, Organisation, Statement
from channels.payment import OnAccount
from channels.services import accounts
from channels.statements import previous_month, statement_generate
from core.sales_channels import SalesChannel

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
Country = get_model("address", "Country")
Selector = get_class("partner.strategy", "Selector")
Repository = get_class("shipping.repository", "Repository")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
OrderCreator = get_class("order.utils", "OrderCreator")

TERMS = {
    SalesChannel.SCHOOL: (30, Decimal("50000.00")),
    SalesChannel.ENTERPRISE: (15, Decimal("20000.00")),
}


def seed(command) -> None:
    User = get_user_model()
    organisations = {}
    for spec in ORGANISATIONS:
        if spec.channel not in TERMS:
            continue
        net_days, limit = TERMS[spec.channel]
        organisation = Organisation.objects.get(channel=spec.channel, email=spec.email)
        wanted = (Organisation.PaymentMode.ON_ACCOUNT, net_days, limit)
        if (organisation.payment_mode, organisation.net_days, organisation.credit_limit) != wanted:
            Organisation.objects.filter(pk=organisation.pk).update(
                payment_mode=Organisation.PaymentMode.ON_ACCOUNT, net_days=net_days, credit_limit=limit
            )
            organisation.refresh_from_db()
        organisations[spec.channel] = (organisation, User.objects.filter(email__iexact=spec.email).first())
    # A year of purchases and the school's pledge, for the assistance ledgers (issue 13, part 9).
    assistance.seed(
        command,
        products=[product for key, product in sorted(_products().items()) if key in PRICED_PRODUCTS],
        manager_email=MANAGER_EMAIL,
    )
    manager = User.objects.filter(email__iexact=MANAGER_EMAIL).first()
    if not settings.DEMO_ACCOUNTS_ENABLED or manager is None:
        command.stdout.write("  channels accounts: terms set (no demo orders without demo accounts)")
        return
    products = [product for key, product in sorted(_products().items()) if key in PRICED_PRODUCTS]
    if len(products) < 3:
        command.stdout.write("  channels accounts: too few priced products, no demo orders")
        return
    today = timezone.localdate()
    last_month = previous_month(today)
    placed = 0
    school, school_user = organisations[SalesChannel.SCHOOL]
    enterprise, enterprise_user = organisations[SalesChannel.ENTERPRISE]
    if school_user is not None:
        first = _place(
            "D13-SCH-01", school_user, [(products[0], 24), (products[2], 12)], last_month.replace(day=8)
        )
        second = _place("D13-SCH-02", school_user, [(products[1], 36)], last_month.replace(day=20))
        third = _place(
            "D13-SCH-03",
            school_user,
            [(products[0], 12), (products[4], 24)],
            today - datetime.timedelta(days=3),
        )
        placed += sum(1 for order in (first, second, third) if order is not None)
        if first is not None:
            _pay(
                first,
                manager,
                fraction=Decimal("1"),
                on=last_month.replace(day=25),
                reference="演示-工行回单 0001",
            )
        if second is not None:
            _pay(
                second,
                manager,
                fraction=Decimal("0.5"),
                on=today - datetime.timedelta(days=1),
                reference="演示-工行回单 0002",
            )
        _statement(school, last_month)
    if enterprise_user is not None:
        overdue_day = today - datetime.timedelta(days=50)
        if (
            _place("D13-ENT-01", enterprise_user, [(products[0], 30), (products[1], 20)], overdue_day)
            is not None
        ):
            placed += 1
        _statement(enterprise, overdue_day.replace(day=1))
    command.stdout.write(
        f"  channels accounts: school and canteen on account, {placed} demo orders placed now"
    )


def _address(user) -> ShippingAddress:
    country, _created = Country.objects.get_or_create(
        iso_3166_1_a2="CN",
        defaults={"printable_name": "中国", "name": "中华人民共和国", "is_shipping_country": True},
    )
    return ShippingAddress.objects.create(
        last_name=user.get_full_name() or "采购",
        line1="中关村南大街12号 食堂后门",
        line4="海淀区",
        state="北京市",
        postcode="100081",
        phone_number="+8613911000003",
        country=country,
    )


def _place(number: str, user, lines, day: datetime.date):
    """Place one order on account as of ``day`` (dates moved back after placement); None if it exists
    or cannot be placed (stock ran out in an older demo database)."""
    if Order.objects.filter(number=number).exists():
        return None
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    for product, quantity in lines:
        basket.add_product(product, quantity)
    shipping_method = Repository().get_default_shipping_method(basket=basket)
    charge = shipping_method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    try:
        with transaction.atomic():
            order = OrderCreator().place_order(
                basket=basket,
                total=total,
                shipping_method=shipping_method,
                shipping_charge=charge,
                user=user,
                shipping_address=_address(user),
                order_number=number,
            )
            OnAccount().order_placed(order=order, user=user)
            basket.submit()
    except Exception as error:  # noqa: BLE001 - the demo goes on without this order
        basket.delete()
        print(f"  channels accounts: demo order {number} not placed: {error}")
        return None
    placed_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    Order.objects.filter(pk=order.pk).update(date_placed=placed_at)
    organisation = order.channel_invoice.organisation
    Invoice.objects.filter(order=order).update(
        issued_on=day, due_on=day + datetime.timedelta(days=organisation.net_days)
    )
    return order


def _pay(order, manager, *, fraction: Decimal, on: datetime.date, reference: str) -> None:
    invoice = Invoice.objects.get(order=order)
    amount = (invoice.amount * fraction).quantize(Decimal("0.01"))
    accounts.payment_record(invoice=invoice, amount=amount, paid_on=on, by=manager, reference=reference)


def _statement(organisation, month: datetime.date) -> None:
    statement, created = Statement.objects.get_or_create(organisation=organisation, month=month)
    if created or statement.state != Statement.State.READY:
        statement_generate(statement.pk)
