"""Product cards are rendered once and reused, and a reused card is never stale or someone else's."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from tests.catalogue.builders import quality_mark, shelf_product

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _card(html, product):
    start = html.index(f"/shop/basket/add/{product.pk}/")
    return html[start - 2000 : start + 600]


def test_a_price_change_shows_on_the_next_list_page(client):
    product = shelf_product(title="房县香菇 250克")
    assert "¥" in client.get("/shop/catalogue/").content.decode()

    record = product.stockrecords.get()
    record.price = Decimal("66.60")
    record.save()

    assert "66.60" in client.get("/shop/catalogue/").content.decode()


def test_a_new_quality_mark_and_a_sell_out_show_at_once(client):
    product = shelf_product(title="竹溪贡茶 100克")
    client.get("/shop/catalogue/")

    product.quality_marks.add(quality_mark("organic", "有机产品"))
    html = client.get("/shop/catalogue/").content.decode()
    assert "有机产品" in html

    product.stockrecords.update(num_in_stock=0)
    html = client.get("/shop/catalogue/").content.decode()
    assert f"/shop/basket/add/{product.pk}/" not in html, "a sold-out card offers no add-to-basket form"


def test_each_visitor_gets_their_own_csrf_token_in_a_cached_card_and_can_add_to_the_basket():
    product = shelf_product(title="郧西马头山羊肉干")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    first_html = first.get("/shop/catalogue/").content.decode()
    second_html = second.get("/shop/catalogue/").content.decode()  # served from the card cache

    assert "csrf-placeholder" not in second_html
    token = TOKEN.search(_card(second_html, product)).group(1)
    assert token != TOKEN.search(_card(first_html, product)).group(1)
    response = second.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert second.get("/shop/basket/").context["basket"].num_items == 1


def test_a_second_list_page_renders_no_card_template_again(client):
    for n in range(3):
        shelf_product(title=f"丹江口蜜桔 {n}")
    card = "oscar/catalogue/partials/product.html"

    first = client.get("/shop/catalogue/")
    second = client.get("/shop/catalogue/")

    assert card in [t.name for t in first.templates]
    assert card not in [t.name for t in second.templates]
    assert second.content.decode().count("丹江口蜜桔") == first.content.decode().count("丹江口蜜桔")
