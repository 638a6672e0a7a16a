"""Issue 15's "done when", whole, in Chromium at 390×844: a new buyer signs up by phone, finds 「茶叶」
and 「蘑菇」 from the search box, pays with Alipay (the local fake Stripe, its signed webhook), and
follows the order as a card with its parcel and timeline once the cooperative has shipped it.

Every page on the way is read as the buyer hears it (text, labels, placeholders) and must hold no
English word, and the browser console must stay free of errors.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from oscar.core.loading import get_model

from core.places import County
from shop.order.services import shipment_record
from tests.catalogue.builders import category, shelf_product
from tests.e2e.conftest import PHONE_390
from tests.e2e.test_phone_signup import texted_code
from tests.factories.catalogue import ShiyanProductClassFactory
from tests.factories.order import china
from tests.shop.test_chinese_everywhere import _Reader, english_phrases

User = get_user_model()
Order = get_model("order", "Order")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MOBILE = "13712345678"


def english_on(page) -> list[str]:
    reader = _Reader()
    reader.feed(page.content())
    return english_phrases(" ".join(reader.text))


def search(page, words: str) -> list[str]:
    """Type ``words`` in the header's search box as a buyer would; the titles of the products found."""
    box = page.locator("#header_q")
    box.fill(words)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/shop/search/\?"))
    return page.locator(".product_pod__title").all_inner_texts()


@pytest.fixture
def shelf():
    tea = category("茶叶", "tea")
    green = category("绿茶", "green-tea", tea)
    fungi = category("干货菌菇", "dried-fungi")
    shiitake = category("香菇", "shiitake", fungi)
    return {
        "tea": shelf_product(
            title="竹溪贡茶 明前特级 绿茶 100克",
            brand="竹溪贡茶",
            origin_county=County.ZHUXI,
            product_class=ShiyanProductClassFactory(name="茶"),
            price="128.00",
            stock=20,
            in_category=green,
        ),
        "mushrooms": shelf_product(
            title="房县花菇 特级 250克礼盒",
            brand="房县香菇",
            origin_county=County.FANGXIAN,
            price="39.80",
            stock=20,
            in_category=shiitake,
        ),
    }


def test_a_new_buyer_signs_up_by_phone_searches_pays_with_alipay_and_follows_the_parcel(
    phone390, fake_stripe_live, shelf, screenshots
):
    china()
    page = phone390
    english = {}

    def read(name):
        english[name] = english_on(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"], name
        page.screenshot(path=str(screenshots / f"journey-{len(english):02d}-{name}.png"), full_page=True)

    # Sign up with a mobile number and the texted code.
    page.goto("/shop/accounts/login/")
    read("login")
    page.click("#login_mobile_link")
    page.fill("#id_mobile", MOBILE)
    page.click("#phone_send")
    page.locator("#id_code").wait_for()
    page.fill("#id_code", texted_code(MOBILE))
    page.click("#phone_verify")
    page.wait_for_url("**/shop/")
    read("home")
    buyer = User.objects.get(verified_mobile__number=MOBILE)

    # Find the tea and the mushrooms by the words people type.
    found_tea = search(page, "茶叶")
    read("search-tea")
    found_mushrooms = search(page, "蘑菇")
    read("search-mushrooms")
    assert found_tea == [shelf["tea"].title]
    assert found_mushrooms == [shelf["mushrooms"].title]

    # Buy the mushrooms now (the sticky buy bar), pay with Alipay.
    page.locator(f"a[href='{shelf['mushrooms'].get_absolute_url()}']").first.click()
    page.wait_for_url(f"**{shelf['mushrooms'].get_absolute_url()}")
    read("product")
    page.locator(".buy-bar__now").click()
    page.wait_for_url("**/checkout/shipping-address/")
    page.fill("#id_last_name", "赵敏")
    page.select_option("#id_line4", label="东城区")
    page.fill("#id_line1", "东直门南大街5号 1号楼301室")
    page.fill("#id_postcode", "100007")
    if not page.input_value("#id_phone_number"):
        page.fill("#id_phone_number", MOBILE)
    read("shipping-address")
    page.locator("form#new_shipping_address button[type=submit]").click()
    page.wait_for_url("**/checkout/payment-method/")
    page.check("input[name=method][value=stripe-alipay]")
    read("payment-method")
    page.click("#choose_payment_method")
    page.wait_for_url("**/checkout/preview/")
    read("preview")
    page.click("#place-order")
    page.wait_for_url(re.compile(r"/payments/orders/[^/]+/pay/$"))
    read("pay")
    page.locator("#wallet-pay").click()
    page.wait_for_url(re.compile(r"/_fake/alipay/pi_fake_\d+$"))
    page.click("#fake-pay")
    page.wait_for_url(re.compile(r"/payments/orders/[^/]+/status/"))
    page.locator("#payment-status[data-state=paid]").wait_for()
    read("paid")
    order = Order.objects.get(user=buyer)
    assert order.status == "Paid" and order.stripe_payment.method == "alipay"

    # The cooperative ships it (as its portal does); the buyer follows the order as a card.
    shipment_record(order=order, carrier="sf", tracking_number="SF1029384756")
    page.goto("/shop/accounts/orders/")
    card = page.locator(".order-card").first
    assert order.number in card.inner_text()
    assert "已发货" in card.inner_text() and "顺丰速运 SF1029384756" in card.inner_text()
    read("order-cards")
    card.get_by_role("link", name="详情").click()
    page.wait_for_url(f"**/orders/{order.number}/")
    timeline = page.locator(".order-timeline").inner_text()
    for step in ("已下单", "已付款", "已发货", "SF1029384756"):
        assert step in timeline, (step, timeline)
    read("order-timeline")

    # Their account names them by the number they signed up with, and offers to add an e-mail.
    page.goto("/shop/accounts/profile/")
    profile = page.locator("main, #content_inner, body").first.inner_text()
    assert MOBILE in profile and "添加邮箱" in profile and "更换手机号" in profile
    read("profile")

    assert english == {name: [] for name in english}
    assert page.console_errors == []
