"""What must never be false about price lists and organisations is refused by the database itself."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from channels.models import (
    Delivery,
    DeliveryLine,
    ManagerAssignment,
    Membership,
    Organisation,
    OrganisationOrder,
    PriceList,
    PriceListEntry,
)
from core.sales_channels import SalesChannel
from tests.factories.channels import DeliverySiteFactory, OrganisationFactory, member_of
from tests.factories.order import basket_with, place_order, product_for_sale

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 1)


@pytest.fixture
def price_list():
    return PriceList.objects.create(channel=SalesChannel.SCHOOL)


@pytest.fixture
def product():
    return product_for_sale(title="房县香菇 250克")


def entry(price_list, product, **fields):
    values = {"price": Decimal("31.00"), "moq": 12, "case_size": 6, "valid_from": DAY, **fields}
    return PriceListEntry.objects.create(price_list=price_list, product=product, **values)


@pytest.mark.parametrize(
    "fields",
    [
        {"price": Decimal("0")},
        {"price": Decimal("-1.00")},
        {"moq": 0, "case_size": 1},
        {"case_size": 0},
        {"moq": 10, "case_size": 6},  # not a whole number of cases
        {"valid_until": DAY - datetime.timedelta(days=1)},
    ],
)
def test_a_price_entry_breaking_a_rule_is_refused_by_the_database(price_list, product, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(price_list, product, **fields)


def test_a_good_entry_is_stored(price_list, product):
    assert entry(price_list, product, moq=18, case_size=6).pk


def test_a_channel_has_one_price_list_and_an_organisation_one_contract_list():
    school = OrganisationFactory()
    PriceList.objects.create(channel=SalesChannel.SCHOOL)
    PriceList.objects.create(channel=SalesChannel.SCHOOL, organisation=school)

    with pytest.raises(IntegrityError), transaction.atomic():
        PriceList.objects.create(channel=SalesChannel.SCHOOL)
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceList.objects.create(channel=SalesChannel.SCHOOL, organisation=school)


@pytest.mark.parametrize("channel", ["retail", "wholesale"])
def test_retail_or_an_unknown_channel_is_not_an_institutional_channel(channel):
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceList.objects.create(channel=channel)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(channel=channel)
    with pytest.raises(IntegrityError), transaction.atomic():
        ManagerAssignment.objects.create(user=member_of(OrganisationFactory()), channel=channel)


def test_a_user_belongs_to_one_organisation():
    user = member_of(OrganisationFactory())

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, organisation=OrganisationFactory())


def test_two_live_organisations_cannot_share_a_uscc_but_a_rejected_one_leaves_it_free():
    first = OrganisationFactory(status=Organisation.Status.REJECTED)
    OrganisationFactory(uscc=first.uscc)

    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(uscc=first.uscc)


@pytest.mark.postgres
def test_on_postgresql_two_entries_of_one_list_cannot_price_a_product_on_the_same_day(price_list, product):
    entry(price_list, product, valid_until=DAY + datetime.timedelta(days=30))
    entry(price_list, product, valid_from=DAY + datetime.timedelta(days=31))  # the day after: fine
    other_list = PriceList.objects.create(channel=SalesChannel.SUPERMARKET)
    entry(other_list, product)  # another list: fine

    for overlapping in (
        {"valid_from": DAY + datetime.timedelta(days=30)},  # the last day of the first
        {"valid_from": DAY - datetime.timedelta(days=5), "valid_until": DAY},
        {"valid_from": DAY + datetime.timedelta(days=400)},  # inside the open-ended second
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            entry(price_list, product, **overlapping)


def test_an_order_line_belongs_to_one_delivery_and_an_order_to_one_delivery_per_site_and_day():
    organisation = OrganisationFactory()
    east, west = (
        DeliverySiteFactory(organisation=organisation),
        DeliverySiteFactory(organisation=organisation),
    )
    order = place_order(basket=basket_with((product_for_sale(), 2)))
    link = OrganisationOrder.objects.create(order=order, organisation=organisation, po_number="PO-1")
    delivery = Delivery.objects.create(organisation_order=link, site=east, date=DAY)
    DeliveryLine.objects.create(delivery=delivery, line=order.lines.get())
    Delivery.objects.create(organisation_order=link, site=west, date=DAY)  # another site: fine

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(organisation_order=link, site=east, date=DAY)
    other = Delivery.objects.create(organisation_order=link, site=east, date=DAY + datetime.timedelta(days=7))
    with pytest.raises(IntegrityError), transaction.atomic():
        DeliveryLine.objects.create(delivery=other, line=order.lines.get())
