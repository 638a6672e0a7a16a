"""Storefront list pages are shared for a few seconds among visitors with nothing of their own."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from core.page_cache import CSRF_PAGE_PLACEHOLDER
from tests.catalogue.builders import shelf_product

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 10


def test_a_second_anonymous_visitor_gets_the_shared_page_with_a_working_token_of_their_own():
    product = shelf_product(title="房县香菇 250克")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    assert "X-Page-Cache" not in first.get("/shop/catalogue/")
    response = second.get("/shop/catalogue/")

    assert response["X-Page-Cache"] == "hit"
    html = response.content.decode()
    assert "房县香菇 250克" in html and CSRF_PAGE_PLACEHOLDER not in html
    token = TOKEN.search(html).group(1)
    added = second.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1, "csrfmiddlewaretoken": token})
    assert added.status_code == 302


def test_a_visitor_with_a_basket_or_signed_in_gets_the_shared_page_with_their_own_parts(
    client, django_user_model
):
    """Everyone shares the page now (core.personal_parts fills in what is theirs); a price change
    reaches all of them once the shared page expires."""
    from django.core.cache import cache

    product = shelf_product(title="竹溪贡茶 100克")
    Client().get("/shop/catalogue/")  # shared page now cached
    product.stockrecords.update(price=Decimal("88.80"))

    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1})
    with_basket = client.get("/shop/catalogue/")
    html = with_basket.content.decode()
    assert with_basket["X-Page-Cache"] == "hit"
    assert 'basket-mini__count has-items" aria-label="1 件">1<' in html and "¥88.80" in html  # their basket

    buyer = Client()
    buyer.force_login(django_user_model.objects.create_user("b", "b@example.com", "x"))
    signed_in = buyer.get("/shop/catalogue/").content.decode()
    assert 'id="logout_link"' in signed_in and 'id="login_link"' not in signed_in

    cache.clear()  # as ten seconds later
    assert "88.80" in Client().get("/shop/catalogue/").content.decode()


def test_languages_and_queries_are_kept_apart():
    shelf_product(title="丹江口蜜桔")
    Client().get("/shop/")
    english = Client()
    english.cookies["shop_language"] = "en"

    assert 'lang="en"' in english.get("/shop/").content.decode()
    assert "X-Page-Cache" not in Client().get("/shop/search/?q=蜜桔")


def test_a_message_for_this_visitor_is_shown_to_them_only(client):
    product = shelf_product(title="郧西马头山羊肉干")
    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": "lots"})  # leaves a message

    html = client.get("/shop/catalogue/").content.decode()
    assert 'class="alert' in html

    assert 'class="alert' not in Client().get("/shop/catalogue/").content.decode()
    assert 'class="alert' not in client.get("/shop/catalogue/").content.decode(), "shown once"


def test_a_shared_product_page_still_counts_the_view_and_joins_the_visitors_history():
    from oscar.apps.analytics.models import ProductRecord

    product = shelf_product(title="房县香菇 页面")
    Client().get(product.get_absolute_url())
    visitor = Client()

    response = visitor.get(product.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"
    assert "房县香菇 页面" in response.content.decode()
    assert ProductRecord.objects.get(product=product).num_views == 2
    assert response.cookies["oscar_history"].value == f"[{product.pk}]"


def test_a_shared_product_page_holds_no_visitors_history():
    seen = shelf_product(title="竹溪贡茶 看过的")
    product = shelf_product(title="丹江口蜜桔 页面")
    first = Client()
    first.get(seen.get_absolute_url())
    first.get(product.get_absolute_url())  # rendered for a visitor with a history cookie, then shared

    response = Client().get(product.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"
    assert "竹溪贡茶 看过的" not in response.content.decode()
    assert "竹溪贡茶 看过的" in first.get("/shop/catalogue/recently-viewed/").content.decode()


def test_a_product_page_at_a_wrong_address_still_redirects_when_the_right_one_is_shared():
    product = shelf_product(title="郧阳木耳")
    Client().get(product.get_absolute_url())

    response = Client().get(f"/shop/catalogue/wrong-slug_{product.pk}/")

    assert response.status_code == 301
    assert response["Location"] == product.get_absolute_url()


def test_a_visitor_whose_add_to_basket_failed_sees_their_own_product_page_with_the_error():
    product = shelf_product(title="房县香菇 限购")
    english = Client()
    english.cookies["shop_language"] = "en"
    english.get(product.get_absolute_url())  # the shared English page is cached
    visitor = Client()
    visitor.cookies["shop_language"] = "en"

    visitor.post(
        f"/shop/basket/add/{product.pk}/", {"quantity": "abc"}, HTTP_REFERER=product.get_absolute_url()
    )
    response = visitor.get(product.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"
    assert "The quantity must be a whole number" in response.content.decode()
    assert (
        "The quantity must be a whole number" not in english.get(product.get_absolute_url()).content.decode()
    )


# Queries of a page served from the shared cache, per visitor: session, user and basket lines for a
# signed-in buyer (their terms, member or not, come from the cache); the product page adds the view
# counters (Oscar's analytics) on top.
HIT_QUERIES = {
    "anonymous": (0, 1),
    "basket": (1, 2),
    "signed in": (3, 6),
    "signed in with a basket": (3, 6),
    "channel member": (3, 6),
}


@pytest.mark.parametrize("visitor", list(HIT_QUERIES))
def test_a_cached_page_costs_each_kind_of_visitor_a_pinned_number_of_queries(
    visitor, django_assert_num_queries
):
    from oscar.test.factories import UserFactory

    from core.sales_channels import SalesChannel
    from tests.factories.channels import OrganisationFactory, member_of, price

    product = shelf_product(title="房县香菇 250克", price="39.80")
    price(product, "31.00", channel=SalesChannel.SCHOOL)
    client = Client()
    if visitor == "channel member":
        client.force_login(member_of(OrganisationFactory(channel=SalesChannel.SCHOOL)))
    elif visitor.startswith("signed in"):
        client.force_login(UserFactory())
    if "basket" in visitor:
        client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1})
    list_queries, product_queries = HIT_QUERIES[visitor]

    for url, expected in (("/shop/catalogue/", list_queries), (product.get_absolute_url(), product_queries)):
        client.get(url)
        client.get(url)  # the shared page, and a signed-in buyer's terms, are now cached
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response["X-Page-Cache"] == "hit"
