"""A Beijing buyer on a 390×844 phone pays a guest order with Alipay (the fake Stripe's Alipay page).

The order is placed first; the pay page links to Alipay (Stripe's ``alipay_handle_redirect``); the
fake's Alipay page pays, sends the signed webhook to the live server and returns the buyer to the
order's status page, which shows the order paid.
"""

import re

import pytest
from oscar.core.loading import get_model

from tests.e2e.conftest import PHONE_390 as PHONE
from tests.factories.order import china, product_for_sale

Order = get_model("order", "Order")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_guest_pays_with_alipay_on_a_phone_and_sees_the_order_paid(phone390, fake_stripe_live, screenshots):
    china()
    mushrooms = product_for_sale(title="房县香菇 干货 250克", price="39.80", stock=10)
    page = phone390

    page.goto(mushrooms.get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").first.click()
    page.goto("/shop/checkout/")
    page.fill("#id_username", "li.na@example.com")
    page.check("input[name=options][value=anonymous]")
    page.locator("form:has(input[name=options]) button[type=submit]").click()
    page.wait_for_url("**/checkout/shipping-address/")
    page.fill("#id_last_name", "李娜")
    page.fill("#id_phone_number", "139 1234 5678")
    page.select_option("#id_line4", label="海淀区")
    page.fill("#id_line1", "中关村大街1号")
    page.fill("#id_postcode", "100080")
    page.locator("form#new_shipping_address button[type=submit]").click()

    page.wait_for_url("**/checkout/payment-method/")
    choices = page.locator("input[name=method]")
    assert "stripe-alipay" in [choices.nth(i).get_attribute("value") for i in range(choices.count())]
    assert "支付宝" in page.locator("#payment_method_form").inner_text()
    page.check("input[name=method][value=stripe-alipay]")
    page.screenshot(path=str(screenshots / "alipay-01-method.png"), full_page=True)
    page.click("#choose_payment_method")
    page.wait_for_url("**/checkout/preview/")
    page.click("#place-order")

    page.wait_for_url(re.compile(r"/payments/orders/[^/]+/pay/$"))
    order = Order.objects.get()
    assert order.status == "Pending payment"  # placed first, not paid yet
    pay_button = page.locator("#wallet-pay")
    assert f"用支付宝支付 ¥{order.total_incl_tax}" in pay_button.inner_text()
    page.screenshot(path=str(screenshots / "alipay-02-pay.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    pay_button.click()

    page.wait_for_url(re.compile(r"/_fake/alipay/pi_fake_\d+$"))
    page.click("#fake-pay")

    page.wait_for_url(re.compile(r"/payments/orders/[^/]+/status/\?.*redirect_status=succeeded"))
    page.locator("#payment-status[data-state=paid]").wait_for()
    assert "已收到付款" in page.locator("[data-role=message]").inner_text()
    page.screenshot(path=str(screenshots / "alipay-03-paid.png"), full_page=True)
    order.refresh_from_db()
    assert order.status == "Paid"
    assert order.stripe_payment.method == "alipay"
    assert order.sources.get().source_type.code == "stripe-alipay"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.console_errors == []


def test_a_buyer_scans_the_wechat_pay_code_and_the_page_turns_to_paid_by_itself(
    phone390, fake_stripe_live, screenshots, browser, live_server
):
    """The QR page polls status.json; once the webhook marks the order paid it opens the status page."""
    from django.test import Client

    from shop.payment.methods import StripeWechatPay
    from shop.payment.models import StripePayment
    from shop.payment.selectors import SESSION_ORDERS_KEY
    from tests.factories.payment import pending_order

    order = pending_order(price="25.00", quantity=2)
    StripeWechatPay().order_placed(order=order)
    client = Client()
    session = client.session
    session[SESSION_ORDERS_KEY] = [order.number]  # what the checkout grants the guest's browser
    session.save()
    page = phone390
    page.context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": live_server.url}])

    page.goto(f"/payments/orders/{order.number}/pay/")
    qr = page.locator("#wallet-qr")
    assert page.evaluate("document.getElementById('wallet-qr').naturalWidth") > 100
    assert qr.bounding_box()["width"] <= PHONE["width"]
    assert "相册" in page.locator("#payment-status").inner_text()  # how to pay with the code on this phone
    page.screenshot(path=str(screenshots / "wechat-01-qr.png"), full_page=True)

    intent_id = StripePayment.objects.get(order=order).payment_intent_id
    other_phone = browser.new_page()  # the buyer's WeChat "scans" it: the fake's hosted page pays
    other_phone.goto(f"{fake_stripe_live.url}/_fake/wechat/{intent_id}")
    other_phone.click("#fake-pay")
    other_phone.close()

    page.wait_for_url(f"**/payments/orders/{order.number}/status/")
    page.locator("#payment-status[data-state=paid]").wait_for()
    page.screenshot(path=str(screenshots / "wechat-02-paid.png"), full_page=True)
    order.refresh_from_db()
    assert order.status == "Paid"
    assert page.console_errors == []
