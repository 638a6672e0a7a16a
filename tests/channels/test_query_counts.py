"""Channel prices add at most 2 queries to any storefront page, however many products it shows: the
membership (with both price lists' revisions) and, on a cold cache, the price book."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oscar.test.factories import UserFactory

from channels.terms import forget_books
from core.sales_channels import SalesChannel
from tests.catalogue.builders import category, shelf_product
from tests.factories.channels import OrganisationFactory, member_of, price

pytestmark = pytest.mark.django_db

EXTRA = 2


@pytest.fixture
def stock(db):
    root = category("食用菌", "mushrooms")

    def make(count):
        products = [
            shelf_product(title=f"房县香菇 {n}", in_category=root, picture=n % 3 == 0) for n in range(count)
        ]
        for n, product in enumerate(products):
            price(product, "31.00", channel=SalesChannel.SCHOOL, moq=6 * (1 + n % 2), case_size=6)
        return root, products

    return make


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _queries(client, url, *, cold):
    client.get(url)  # warm what lives per process (URL resolvers, templates)
    if cold:
        cache.clear()
        forget_books()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _pages(root, products, member_client):
    member_client.post(f"/shop/basket/add/{products[0].pk}/", {"quantity": 6})
    return ["/shop/catalogue/", root.get_absolute_url(), products[1].get_absolute_url(), "/shop/basket/"]


@pytest.mark.parametrize("cold", [True, False], ids=["cold cache", "warm cache"])
@pytest.mark.parametrize("count", [6, 30])
def test_a_member_pays_at_most_two_queries_more_than_a_retail_buyer_on_every_page(
    stock, django_assert_max_num_queries, count, cold
):
    root, products = stock(count)
    member = _client(member_of(OrganisationFactory(channel=SalesChannel.SCHOOL)))
    retail = _client(UserFactory())
    urls = _pages(root, products, member)
    retail.post(f"/shop/basket/add/{products[0].pk}/", {"quantity": 1})

    for url in urls:
        retail_queries = _queries(retail, url, cold=cold)
        if cold:
            cache.clear()
            forget_books()
        with django_assert_max_num_queries(retail_queries + EXTRA):
            response = member.get(url)
        assert response.status_code == 200, url


def test_a_members_list_page_costs_the_same_for_6_and_30_products(stock):
    root, products = stock(6)
    member = _client(member_of(OrganisationFactory(channel=SalesChannel.SCHOOL)))
    with_6 = _queries(member, "/shop/catalogue/", cold=True)

    stock(24)
    with_30 = _queries(member, "/shop/catalogue/", cold=True)

    assert with_6 == with_30


def test_a_signed_in_retail_buyer_pays_no_query_for_channel_prices_once_known_not_to_be_a_member(stock):
    from shop.partner import strategy

    root, _products = stock(6)
    retail = _client(UserFactory())
    with_hook = _queries(retail, "/shop/catalogue/", cold=False)
    strategy.unregister_buyer_terms("channels")
    try:
        without_hook = _queries(retail, "/shop/catalogue/", cold=False)
    finally:
        from channels.terms import buyer_terms_for

        strategy.register_buyer_terms("channels", buyer_terms_for)

    assert with_hook == without_hook
