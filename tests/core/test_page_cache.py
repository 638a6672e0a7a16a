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


def test_a_visitor_with_a_basket_or_signed_in_sees_changes_at_once(client, django_user_model):
    product = shelf_product(title="竹溪贡茶 100克")
    Client().get("/shop/catalogue/")  # shared page now cached
    product.stockrecords.update(price=Decimal("88.80"))

    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1})
    with_basket = client.get("/shop/catalogue/")
    assert "X-Page-Cache" not in with_basket and "88.80" in with_basket.content.decode()

    buyer = Client()
    buyer.force_login(django_user_model.objects.create_user("b", "b@example.com", "x"))
    assert "88.80" in buyer.get("/shop/catalogue/").content.decode()

    # An anonymous visitor sees the change once the shared page expires (10 s here).
    assert "88.80" not in Client().get("/shop/catalogue/").content.decode()


def test_languages_and_queries_are_kept_apart():
    shelf_product(title="丹江口蜜桔")
    Client().get("/shop/")
    english = Client()
    english.cookies["shop_language"] = "en"

    assert 'lang="en"' in english.get("/shop/").content.decode()
    assert "X-Page-Cache" not in Client().get("/shop/search/?q=蜜桔")


def test_a_page_with_a_message_for_this_visitor_is_not_shared(client):
    product = shelf_product(title="郧西马头山羊肉干")
    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": "lots"})  # leaves a message

    response = client.get("/shop/catalogue/")

    assert "X-Page-Cache" not in response
    assert "X-Page-Cache" not in Client().get("/shop/catalogue/"), "nothing was stored from that visit"


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

    assert "X-Page-Cache" not in response
    assert "The quantity must be a whole number" in response.content.decode()
