"""A member's terms are remembered between requests (channels.terms), yet a removal, a suspension or
a price list change is seen by their very next page, cached pages (core.page_cache) included."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oscar.test.factories import UserFactory

from channels.models import Membership, PriceList
from channels.services.members import membership_remove
from channels.services.organisations import organisation_suspend
from channels.services.prices import price_list_clear
from core.sales_channels import SalesChannel
from tests.catalogue.builders import shelf_product
from tests.factories.channels import OrganisationFactory, channel_manager, member_of, price

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 10


@pytest.fixture
def shiitake():
    product = shelf_product(title="房县香菇 250克", price="39.80")
    price(product, "31.00", channel=SalesChannel.SCHOOL, moq=12, case_size=6)
    return product


@pytest.fixture
def school():
    return OrganisationFactory(channel=SalesChannel.SCHOOL)


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _page(client, product) -> str:
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_removed_member_pays_retail_on_their_next_page(shiitake, school):
    member = member_of(school)
    client = _signed_in(member)
    assert "¥31.00" in _page(client, shiitake) and "¥31.00" in _page(client, shiitake)

    membership_remove(membership=Membership.objects.get(user=member), by=member)

    html = _page(client, shiitake)
    assert "¥31.00" not in html and "¥39.80" in html


def test_a_suspended_organisations_member_loses_its_prices_on_their_next_page(shiitake, school):
    client = _signed_in(member_of(school))
    assert "¥31.00" in _page(client, shiitake) and "¥31.00" in _page(client, shiitake)

    organisation_suspend(organisation=school, by=channel_manager(SalesChannel.SCHOOL), reason="资质过期")

    html = _page(client, shiitake)
    assert "¥31.00" not in html and "暂停" in html


def test_a_cleared_price_list_is_seen_by_the_members_next_page(shiitake, school):
    client = _signed_in(member_of(school))
    assert "¥31.00" in _page(client, shiitake) and "¥31.00" in _page(client, shiitake)

    price_list_clear(
        price_list=PriceList.objects.get(channel=SalesChannel.SCHOOL, organisation=None),
        by=channel_manager(SalesChannel.SCHOOL),
    )

    html = _page(client, shiitake)
    assert "¥31.00" not in html and "¥39.80" in html


def _hit_queries(client, url) -> int:
    client.get(url)
    client.get(url)  # the shared page and the visitor's terms are now cached
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    return len(queries)


def test_a_cached_page_costs_a_member_no_more_queries_than_a_signed_in_buyer(shiitake, school):
    url = shiitake.get_absolute_url()

    retail = _hit_queries(_signed_in(UserFactory()), url)
    member = _hit_queries(_signed_in(member_of(school)), url)

    print("queries", retail, member)
    assert member <= retail
