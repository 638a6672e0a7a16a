"""A new buyer on a 390×844 phone signs up by mobile number and SMS code, then checks out as a guest
would with a mobile number alone: no e-mail address anywhere, no script error in the console."""

import re

import pytest
from django.contrib.auth import get_user_model
from oscar.core.loading import get_model

from core import sms
from tests.e2e.conftest import PHONE_390 as VIEWPORT
from tests.factories.order import china, product_for_sale

User = get_user_model()
Order = get_model("order", "Order")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def texted_code(number: str) -> str:
    """The code the test SMS backend (core.sms.LocmemBackend, in this process) received last."""
    for message in reversed(sms.outbox):
        if message.to == number:
            return re.search(r"\d{6}", message.text).group(0)
    raise AssertionError(f"no code texted to {number}")


def test_a_new_buyer_signs_up_by_phone_without_an_e_mail_address(phone390, screenshots, settings):
    settings.PHONE_CODES = {**settings.PHONE_CODES, "RESEND_SECONDS": 6}  # the countdown, shortened
    page = phone390

    page.goto("/shop/accounts/login/")
    assert page.locator("#login_mobile").is_visible()
    page.screenshot(path=str(screenshots / "phone-00-login-page.png"), full_page=True)
    page.click("#login_mobile_link")
    page.wait_for_url("**/shop/accounts/phone/")
    page.fill("#id_mobile", "138 1234 5678")
    page.screenshot(path=str(screenshots / "phone-01-number.png"), full_page=True)
    page.click("#phone_send")

    page.locator("#id_code").wait_for()
    assert "138****5678" in page.inner_text("#phone_sign_in")
    resend = page.locator("#phone_resend")
    # The countdown script runs once the page has loaded (deferred): wait for it, then for the end.
    page.wait_for_function("document.querySelector('#phone_resend').disabled")
    assert re.search(r"重新获取（\d+ 秒后）", resend.inner_text())  # counts down
    page.wait_for_function("!document.querySelector('#phone_resend').disabled", timeout=12_000)
    assert resend.inner_text() == "重新获取验证码"
    page.fill("#id_code", texted_code("13812345678"))
    page.screenshot(path=str(screenshots / "phone-02-code.png"), full_page=True)
    page.click("#phone_verify")

    page.wait_for_url("**/shop/")
    assert "欢迎！您的账户已创建。" in page.content()
    user = User.objects.get()
    assert user.email == "" and user.verified_mobile.number == "13812345678"
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    assert page.console_errors == []


def test_a_guest_checks_out_with_a_mobile_number_alone(phone390, screenshots):
    china()
    product = product_for_sale(title="房县香菇 干货 250克", price="39.80", stock=10)
    page = phone390
    page.goto(product.get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()

    page.goto("/shop/checkout/")
    page.screenshot(path=str(screenshots / "phone-03-gateway.png"), full_page=True)
    page.click("#gateway_mobile_guest")
    page.wait_for_url("**/checkout/guest-mobile/")
    page.fill("#id_mobile", "13912345678")
    page.click("#phone_send")
    page.locator("#id_code").wait_for()
    page.fill("#id_code", texted_code("13912345678"))
    page.screenshot(path=str(screenshots / "phone-04-guest-code.png"), full_page=True)
    page.click("#phone_verify")

    page.wait_for_url("**/checkout/shipping-address/")
    assert page.input_value("#id_phone_number") == "13912345678"
    page.fill("#id_last_name", "王小明")
    page.select_option("#id_line4", label="朝阳区")
    page.fill("#id_line1", "建国路88号 SOHO现代城2号楼1203室")
    page.fill("#id_postcode", "100022")
    page.locator("form#new_shipping_address button[type=submit]").click()
    page.wait_for_url("**/checkout/payment-method/")
    page.check("input[name=method][value=bank-transfer]")
    page.click("#choose_payment_method")
    page.wait_for_url("**/checkout/preview/")
    page.click("#place-order")

    page.wait_for_url("**/checkout/thank-you/")
    order = Order.objects.get()
    assert (order.guest_email, order.guest_mobile.number) == ("", "13912345678")
    assert any(order.number in message.text for message in sms.outbox if message.to == "13912345678")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    assert page.console_errors == []
