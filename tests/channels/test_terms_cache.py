"""A member's terms are kept in the cache under the terms generation (channels.terms): a member's
page costs no query more than a retail buyer's, and every change that moves their prices is seen on
the very next request, with the shared page cache on."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oscar.test.factories import UserFactory

from channels import terms
from channels.models import Membership, PriceList
from channels.services.members import membership_remove
from channels.services.organisations import organisation_reinstate, organisation_suspend
from channels.services.prices import price_list_clear
from core.sales_channels import SalesChannel
from tests.catalogue.builders import shelf_product
from tests.factories.channels import OrganisationFactory, channel_manager, member_of, price

pytestmark = pytest.mark.django_db

CATALOGUE = "/shop/catalogue/"


@pytest.fixture(autouse=True)
def shared_pages(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 10


@pytest.fixture
def shiitake():
    product = shelf_product(title="房县香菇 250克", price="39.80")
    price(product, "31.00", channel=SalesChannel.SCHOOL, moq=12, case_size=6)
    return product


@pytest.fixture
def school():
    return OrganisationFactory(
        channel=SalesChannel.SCHOOL, name="北京市海淀实验中学", short_name="海淀实验中学"
    )


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _warm_queries(client, url=CATALOGUE) -> int:
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_a_members_shared_page_costs_no_query_more_than_a_retail_buyers(shiitake, school):
    member = _signed_in(member_of(school))
    retail = _signed_in(UserFactory())

    assert _warm_queries(member) == _warm_queries(retail)
    assert "¥31.00" in member.get(CATALOGUE).content.decode()


def test_a_removed_member_sees_retail_prices_on_the_next_page(shiitake, school):
    admin = member_of(school, role=Membership.Role.ADMIN)
    buyer = member_of(school)
    client = _signed_in(buyer)
    assert "¥31.00" in client.get(CATALOGUE).content.decode()

    membership_remove(membership=buyer.channel_membership, by=admin)

    page = client.get(CATALOGUE).content.decode()
    assert "¥31.00" not in page and "¥39.80" in page


def test_a_suspended_organisation_is_refused_at_once_and_priced_again_when_reinstated(shiitake, school):
    buyer = member_of(school)
    manager = channel_manager(SalesChannel.SCHOOL)
    client = _signed_in(buyer)
    client.get(CATALOGUE)
    assert terms.buyer_terms_for(buyer).refusal == ""

    organisation_suspend(organisation=school, by=manager, reason="资质过期")

    assert "海淀实验中学" in terms.buyer_terms_for(buyer).refusal
    assert "¥31.00" not in client.get(CATALOGUE).content.decode()

    organisation_reinstate(organisation=school, by=manager, reason="资质已更新")

    assert terms.buyer_terms_for(buyer).refusal == ""
    assert "¥31.00" in client.get(CATALOGUE).content.decode()


def test_a_cleared_price_list_shows_retail_prices_on_the_next_page(shiitake, school):
    client = _signed_in(member_of(school))
    assert "¥31.00" in client.get(CATALOGUE).content.decode()

    price_list_clear(price_list=PriceList.objects.get(), by=channel_manager(SalesChannel.SCHOOL))

    page = client.get(CATALOGUE).content.decode()
    assert "¥31.00" not in page and "¥39.80" in page


def test_a_kept_answer_is_read_once_per_generation(school, django_assert_num_queries):
    buyer = member_of(school)
    terms.buyer_terms_for(buyer)

    with django_assert_num_queries(0):
        kept = terms.buyer_terms_for(buyer)
    terms.terms_changed()
    with django_assert_num_queries(1):
        again = terms.buyer_terms_for(buyer)

    assert kept == again and kept.organisation_id == school.pk


def test_with_nothing_in_the_cache_the_terms_are_read_from_the_database(school, django_assert_num_queries):
    buyer = member_of(school)
    terms.buyer_terms_for(buyer)
    cache.clear()  # Redis restarted, or away (core.cache answers every read as a miss)

    with django_assert_num_queries(1):
        assert terms.buyer_terms_for(buyer).organisation_id == school.pk
    assert terms.buyer_terms_for(UserFactory()) is None
