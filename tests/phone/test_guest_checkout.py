"""A guest checks out with a mobile number alone: proven by a code, kept with the order, confirmed by SMS."""

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from oscar.core.loading import get_model

from core import sms
from shop.payment.models import StripePayment
from shop.phone.models import GuestOrderMobile, OneTimeCode, VerifiedMobile
from tests.checkout import flow
from tests.factories.order import UserFactory
from tests.payment.conftest import deliver
from tests.phone.conftest import texted_code

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
URL = reverse("checkout:guest-mobile")


def start_with_mobile(client, number="13812345678"):
    """Gateway → "continue with my mobile number" → code → the address step."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(URL, {"action": "send", "mobile": number})
    return client.post(URL, {"action": "verify", "code": texted_code(number)})


def mobile_checkout_to_preview(client, product, *, method="bank-transfer", number="13812345678"):
    flow.add_to_basket(client, product)
    assert start_with_mobile(client, number)["Location"] == reverse("checkout:shipping-address")
    assert flow.enter_address(client).status_code == 302
    assert flow.choose_payment(client, method).status_code == 302


def test_the_gateway_offers_the_mobile_number_first(client, mushrooms):
    flow.add_to_basket(client, mushrooms)

    page = client.get(reverse("checkout:index")).content.decode()

    assert page.index('id="gateway_mobile"') < page.index('name="username"')
    assert URL in page and "用手机号继续" in page


def test_a_guest_orders_with_a_mobile_number_alone_and_gets_the_confirmation_by_sms(client, mushrooms):
    flow.add_to_basket(client, mushrooms)
    start_with_mobile(client, "13912345678")
    address_form = client.get(reverse("checkout:shipping-address")).content.decode()
    flow.enter_address(client, phone_number="139 1234 5678")
    flow.choose_payment(client)
    sms.outbox.clear()

    with TestCase.captureOnCommitCallbacks(execute=True):
        placed = flow.place_order(client)

    assert placed["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert (order.user, order.guest_email) == (None, "")
    assert GuestOrderMobile.objects.get(order=order).number == "13912345678"
    assert mail.outbox == []
    [confirmation] = sms.outbox
    assert confirmation.to == "13912345678"
    assert f"订单 {order.number} 已提交" in confirmation.text
    assert order.verification_hash() in confirmation.text  # the guest's order status page
    assert client.get(reverse("checkout:thank-you")).status_code == 200
    assert 'name="phone_number" value="13912345678"' in address_form  # filled in already


def test_the_confirmation_sms_is_sent_once_however_often_it_is_delivered(client, mushrooms):
    from shop.phone.services import order_confirmation_sms_send

    mobile_checkout_to_preview(client, mushrooms)
    with TestCase.captureOnCommitCallbacks(execute=True):
        flow.place_order(client)
    sms.outbox.clear()

    again = order_confirmation_sms_send(order_id=Order.objects.get().pk)

    assert again is False and sms.outbox == []


def test_without_a_verified_number_or_e_mail_a_guest_cannot_reach_the_address_step(client, mushrooms):
    flow.add_to_basket(client, mushrooms)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(URL, {"action": "send", "mobile": "13812345678"})
    client.post(
        URL, {"action": "verify", "code": "000000" if texted_code("13812345678") != "000000" else "111111"}
    )

    response = client.get(reverse("checkout:shipping-address"))

    assert response.status_code == 302 and response["Location"] == reverse("checkout:index")


def test_a_guest_code_does_not_sign_anybody_in_or_create_an_account(client, mushrooms):
    flow.add_to_basket(client, mushrooms)

    start_with_mobile(client)

    assert "_auth_user_id" not in client.session
    assert not VerifiedMobile.objects.exists()
    assert OneTimeCode.objects.get().purpose == "checkout"


def test_an_empty_basket_cannot_start_a_mobile_checkout(client, db):
    response = client.get(URL)

    assert response["Location"] == reverse("basket:summary")


def test_a_buyer_signed_up_by_phone_gets_the_order_confirmation_by_sms(client, mushrooms):
    buyer = UserFactory(email="")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")
    client.force_login(buyer)
    flow.add_to_basket(client, mushrooms)
    flow.enter_address(client)
    flow.choose_payment(client, "cash-on-delivery")

    with TestCase.captureOnCommitCallbacks(execute=True):
        flow.place_order(client)

    order = Order.objects.get()
    assert order.user == buyer and not GuestOrderMobile.objects.exists()
    assert [message.to for message in sms.outbox] == ["13712345678"]
    assert reverse("customer:order", kwargs={"order_number": order.number}) in sms.outbox[0].text
    assert mail.outbox == []


def test_a_buyer_with_an_e_mail_address_gets_the_e_mail_and_no_sms(client, mushrooms):
    buyer = UserFactory(email="li.na@example.com")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")
    client.force_login(buyer)
    flow.add_to_basket(client, mushrooms)
    flow.enter_address(client)
    flow.choose_payment(client, "cash-on-delivery")

    with TestCase.captureOnCommitCallbacks(execute=True):
        flow.place_order(client)

    assert [message.to for message in mail.outbox] == [["li.na@example.com"]]
    assert sms.outbox == []


def test_a_guest_with_a_mobile_number_pays_by_card_and_the_webhook_marks_the_order_paid(
    client, settings, fake_stripe, mushrooms
):
    settings.SHOP_PAYMENT_METHODS = [*settings.SHOP_PAYMENT_METHODS, "shop.payment.methods.StripeCard"]
    mobile_checkout_to_preview(client, mushrooms, method="stripe-card")
    with TestCase.captureOnCommitCallbacks(execute=True):
        placed = flow.place_order(client)
    order = Order.objects.get()
    assert placed["Location"] == reverse("payments:order-pay", kwargs={"number": order.number})
    assert client.get(placed["Location"]).status_code == 200  # the pay page makes the payment intent
    payment = StripePayment.objects.get(order=order)

    fake_stripe.pay(payment.payment_intent_id)
    deliver(client, fake_stripe.intent_event("payment_intent.succeeded", payment.payment_intent_id))

    order.refresh_from_db()
    assert order.status == "Paid"
    assert order.guest_mobile.number == "13812345678"
