"""A Beijing buyer on a phone: search 香菇, basket, guest checkout by bank transfer, order number shown."""

import re

import pytest
from oscar.core.loading import get_model

from core.places import County
from tests.factories.order import china, product_for_sale

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def shelf():
    china()  # the CN row comes from a data migration; make sure it is there
    mushrooms = product_for_sale(title="房县香菇 干货 250克", price="39.80", stock=10)
    product_for_sale(
        title="竹溪贡茶 明前绿茶 100克", price="88.00", stock=10, brand="竹溪贡茶", origin_county=County.ZHUXI
    )
    product_for_sale(
        title="丹江口蜜桔 5斤装", price="45.00", stock=10, brand="武当", origin_county=County.DANJIANGKOU
    )
    return mushrooms


def test_guest_finds_shiitake_and_orders_it_on_a_phone(phone, shelf, screenshots):
    page = phone
    shot = 0

    def snap(name):
        nonlocal shot
        shot += 1
        page.screenshot(path=str(screenshots / f"{shot:02d}-{name}.png"), full_page=True)

    page.goto("/shop/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    snap("shop-home")

    page.goto("/shop/search/?q=香菇")
    results = page.locator("article.product_pod h3 a, .product_pod h3 a")
    assert results.all_inner_texts() == ["房县香菇 干货 250克"]
    snap("search")

    results.first.click()
    page.wait_for_url(re.compile(r"/shop/catalogue/.+_\d+/$"))
    assert "房县香菇 干货 250克" in page.locator("h1").inner_text()
    assert "¥39.80" in page.content()
    snap("product")

    page.locator("#add_to_basket_form button[type=submit]").click()
    page.goto("/shop/checkout/")
    page.fill("#id_username", "wang.xiaoming@example.com")
    page.check("input[name=options][value=anonymous]")
    snap("gateway")
    page.locator("form:has(input[name=options]) button[type=submit]").click()

    page.wait_for_url("**/checkout/shipping-address/")
    page.fill("#id_last_name", "王小明")
    page.fill("#id_phone_number", "138 1234 5678")
    districts = page.locator("#id_line4 option:not([value=''])").all_inner_texts()
    assert len(districts) == 16 and all(name.endswith("区") for name in districts)
    page.select_option("#id_line4", label="朝阳区")
    page.fill("#id_line1", "建国路88号 SOHO现代城2号楼1203室")
    page.fill("#id_postcode", "100022")
    snap("address")
    page.locator("form#new_shipping_address button[type=submit]").click()

    page.wait_for_url("**/checkout/payment-method/")
    page.check("input[name=method][value=bank-transfer]")
    snap("payment")
    page.click("#choose_payment_method")

    page.wait_for_url("**/checkout/preview/")
    snap("preview")
    page.click("#place-order")

    page.wait_for_url("**/checkout/thank-you/")
    snap("thank-you")
    order = Order.objects.get()
    assert order.guest_email == "wang.xiaoming@example.com"
    assert order.shipping_address.line4 == "朝阳区"
    assert order.sources.get().source_type.code == "bank-transfer"
    assert order.number in page.locator("main, body").first.inner_text()
    assert StockRecord.objects.get(product=shelf).num_allocated == 1
    # Nothing is wider than the phone: no sideways scrolling on any step (checked on the last one).
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_shared_product_page_shows_the_visitors_own_recently_viewed_products(
    phone, shelf, screenshots, settings, live_server
):
    """The product page comes from the shared page cache; the browser fetches the history strip."""
    from django.test import Client

    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 10
    tea = get_model("catalogue", "Product").objects.get(title__startswith="竹溪贡茶")
    Client().get(shelf.get_absolute_url())  # another visitor's view: the page is now shared
    page = phone

    page.goto(tea.get_absolute_url())
    response = page.goto(shelf.get_absolute_url())

    assert response.headers.get("x-page-cache") == "hit"
    strip = page.locator("[data-recently-viewed] .product-grid__item")
    strip.first.wait_for()
    assert strip.all_inner_texts()[0].startswith("竹溪贡茶") and len(strip.all_inner_texts()) == 1
    page.screenshot(path=str(screenshots / "product-with-history.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
