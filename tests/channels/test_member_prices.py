"""A member of an approved organisation sees their channel's price (or contract price), minimum order
and case size; everyone else sees the shop as before."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.test.factories import UserFactory

from channels.models import Membership, Organisation
from core.sales_channels import SalesChannel
from shop.partner.strategy import Selector
from tests.catalogue.builders import shelf_product
from tests.factories.channels import OrganisationFactory, member_of, price

pytestmark = pytest.mark.django_db


@pytest.fixture
def shiitake():
    return shelf_product(title="房县香菇 250克", price="39.80", stock=100)


@pytest.fixture
def school():
    return OrganisationFactory(channel=SalesChannel.SCHOOL)


def purchase_info(product, user):
    return Selector().strategy(user=user).fetch_for_product(product)


def test_a_member_pays_the_channel_price_and_sees_its_minimum_and_case_size(shiitake, school):
    price(shiitake, "31.00", channel=SalesChannel.SCHOOL, moq=12, case_size=6)

    info = purchase_info(shiitake, member_of(school))

    assert info.price.excl_tax == Decimal("31.00")
    assert info.price.retail == Decimal("39.80")
    assert (info.price.terms.moq, info.price.terms.case_size, info.price.terms.source) == (12, 6, "channel")


def test_a_contract_price_beats_the_channel_price(shiitake, school):
    price(shiitake, "31.00", channel=SalesChannel.SCHOOL, moq=12, case_size=6)
    price(shiitake, "29.50", organisation=school, moq=6, case_size=6)
    other_school = OrganisationFactory(channel=SalesChannel.SCHOOL)

    assert purchase_info(shiitake, member_of(school)).price.excl_tax == Decimal("29.50")
    assert purchase_info(shiitake, member_of(school)).price.terms.source == "contract"
    assert purchase_info(shiitake, member_of(other_school)).price.excl_tax == Decimal("31.00")


def test_another_channels_price_does_not_apply(shiitake, school):
    price(shiitake, "30.00", channel=SalesChannel.SUPERMARKET, moq=24, case_size=12)

    info = purchase_info(shiitake, member_of(school))

    assert info.price.excl_tax == Decimal("39.80")
    assert not hasattr(info.price, "terms")


@pytest.mark.parametrize(
    ("since", "until", "applies"),
    [
        (-10, None, True),
        (-10, 0, True),  # the last day is included
        (0, 5, True),
        (1, None, False),  # not yet
        (-10, -1, False),  # over
    ],
)
def test_a_price_applies_only_between_its_days(shiitake, school, since, until, applies):
    today = timezone.localdate()
    price(
        shiitake,
        "31.00",
        channel=SalesChannel.SCHOOL,
        since=today + datetime.timedelta(days=since),
        until=None if until is None else today + datetime.timedelta(days=until),
    )

    paid = purchase_info(shiitake, member_of(school)).price.excl_tax

    assert paid == (Decimal("31.00") if applies else Decimal("39.80"))


@pytest.mark.parametrize("who", ["anonymous", "retail buyer", "applicant", "rejected"])
def test_nobody_but_an_approved_organisations_member_gets_channel_prices(shiitake, who):
    price(shiitake, "31.00", channel=SalesChannel.SCHOOL, moq=12, case_size=6)
    user = {
        "anonymous": None,
        "retail buyer": UserFactory(),
        "applicant": member_of(OrganisationFactory(status=Organisation.Status.APPLIED)),
        "rejected": member_of(OrganisationFactory(status=Organisation.Status.REJECTED)),
    }[who]

    info = purchase_info(shiitake, user)

    assert info.price.excl_tax == Decimal("39.80")
    assert info.availability.is_purchase_permitted(1) == (True, "")


def test_a_suspended_organisations_member_can_buy_nothing_and_is_told_why(shiitake, school, settings):
    settings.LANGUAGE_CODE = "en"
    price(shiitake, "31.00", channel=SalesChannel.SCHOOL)
    member = member_of(school)
    Organisation.objects.filter(pk=school.pk).update(status=Organisation.Status.SUSPENDED)

    info = purchase_info(shiitake, member)

    permitted, reason = info.availability.is_purchase_permitted(12)
    assert not permitted
    assert "suspended" in str(reason)
    assert info.price.excl_tax == Decimal("39.80")  # no channel price while suspended


def test_a_removed_member_pays_retail_from_the_next_request(shiitake, school):
    price(shiitake, "31.00", channel=SalesChannel.SCHOOL)
    member = member_of(school)
    assert purchase_info(shiitake, member).price.excl_tax == Decimal("31.00")

    Membership.objects.filter(user=member).delete()

    assert purchase_info(shiitake, member).price.excl_tax == Decimal("39.80")


def test_a_new_price_is_seen_on_the_next_request_although_price_books_are_cached(shiitake, school):
    member = member_of(school)
    price(shiitake, "31.00", channel=SalesChannel.SCHOOL, until=timezone.localdate())
    assert purchase_info(shiitake, member).price.excl_tax == Decimal("31.00")  # now cached

    price(shiitake, "30.00", organisation=school)  # bumps the contract list's revision

    assert purchase_info(shiitake, member).price.excl_tax == Decimal("30.00")


def test_a_variant_is_priced_by_its_own_entry_and_its_parent_shows_the_members_price(school):
    from tests.factories.catalogue import ShiyanProductFactory, ShiyanStockRecordFactory

    parent = ShiyanProductFactory(title="房县香菇 规格", structure="parent")
    child = ShiyanProductFactory(title="房县香菇 1千克", structure="child", parent=parent, product_class=None)
    ShiyanStockRecordFactory(product=child, price=Decimal("139.00"))
    price(child, "118.00", channel=SalesChannel.SCHOOL, moq=4, case_size=2)
    strategy = Selector().strategy(user=member_of(school))

    assert strategy.fetch_for_product(child).price.excl_tax == Decimal("118.00")
    assert strategy.fetch_for_parent(parent).price.excl_tax == Decimal("118.00")
