"""The payment receipt reaches a buyer with no e-mail address by SMS, once; others keep the e-mail."""

import pytest
from django.core import mail
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from oscar.core.loading import get_model

from core import sms
from core.models import OutboxMessage
from shop.payment.models import StripePayment
from shop.payment.services import RECEIPT_EVENT_CODE
from shop.phone.models import VerifiedMobile
from shop.phone.services import payment_receipt_sms_record
from tests.checkout import flow
from tests.factories.order import UserFactory, basket_with, place_order
from tests.payment.conftest import deliver
from tests.phone.test_guest_checkout import mobile_checkout_to_preview

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")


@pytest.fixture
def card(settings, fake_stripe):
    settings.SHOP_PAYMENT_METHODS = [*settings.SHOP_PAYMENT_METHODS, "shop.payment.methods.StripeCard"]
    return fake_stripe


def pay_by_card(client, fake_stripe, *, times=1):
    """Place the order in the basket by card, have Stripe take it and its webhook arrive ``times``."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        placed = flow.place_order(client)
    assert client.get(placed["Location"]).status_code == 200  # the pay page makes the payment intent
    order = Order.objects.get()
    payment = StripePayment.objects.get(order=order)
    fake_stripe.pay(payment.payment_intent_id)
    event = fake_stripe.intent_event("payment_intent.succeeded", payment.payment_intent_id)
    for _ in range(times):
        deliver(client, event)
    deliver(client, fake_stripe.intent_event("payment_intent.succeeded", payment.payment_intent_id))
    order.refresh_from_db()
    assert order.status == "Paid"
    return order


def receipts(number: str) -> list[str]:
    return [message.text for message in sms.outbox if message.to == number and "已付款" in message.text]


def test_a_guest_with_only_a_mobile_gets_the_receipt_by_sms_once_however_often_the_webhook_comes(
    client, card, mushrooms
):
    mobile_checkout_to_preview(client, mushrooms, method="stripe-card")

    order = pay_by_card(client, card, times=2)

    texts = receipts("13812345678")
    assert len(texts) == 1
    assert str(order.number) in texts[0] and f"{order.total_incl_tax:.2f}" in texts[0]
    status_path = reverse(
        "customer:anon-order", kwargs={"order_number": order.number, "hash": order.verification_hash()}
    )
    assert status_path in texts[0]
    assert mail.outbox == []


def test_a_buyer_signed_up_by_phone_gets_the_receipt_by_sms_linking_their_order_page(client, card, mushrooms):
    buyer = UserFactory(email="")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")
    client.force_login(buyer)
    flow.add_to_basket(client, mushrooms)
    flow.enter_address(client)
    flow.choose_payment(client, "stripe-card")

    order = pay_by_card(client, card)

    texts = receipts("13712345678")
    assert len(texts) == 1
    assert reverse("customer:order", kwargs={"order_number": order.number}) in texts[0]
    assert mail.outbox == []


def test_a_buyer_with_an_e_mail_address_and_a_mobile_gets_the_e_mail_receipt_and_no_sms(
    client, card, mushrooms
):
    buyer = UserFactory(email="li.na@example.com")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")
    client.force_login(buyer)
    flow.add_to_basket(client, mushrooms)
    flow.enter_address(client)
    flow.choose_payment(client, "stripe-card")

    order = pay_by_card(client, card)

    assert receipts("13712345678") == []
    assert order.communication_events.filter(event_type__code=RECEIPT_EVENT_CODE).count() == 1
    assert {tuple(message.to) for message in mail.outbox} == {("li.na@example.com",)}


def test_a_rolled_back_payment_leaves_no_receipt_sms_behind(mushrooms):
    buyer = UserFactory(email="")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")
    order = place_order(basket=basket_with((mushrooms, 1), owner=buyer), user=buyer, guest_email="")

    with pytest.raises(RuntimeError), transaction.atomic():
        assert payment_receipt_sms_record(order=order)
        raise RuntimeError("the webhook's transaction fails after the receipt was recorded")

    assert not OutboxMessage.objects.filter(kind="phone.payment_receipt_sms").exists()


def test_a_phone_only_buyer_whose_bank_transfer_is_confirmed_gets_the_receipt_by_sms(db):
    from oscar.test.factories import UserFactory as StaffFactory

    from shop.checkout import holds
    from tests.checkout.test_payment_holds import order_paid_by

    buyer = UserFactory(email="")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")
    order = order_paid_by(holds.BankTransfer(), email="")
    order.user = buyer
    order.save(update_fields=["user"])

    with TestCase.captureOnCommitCallbacks(execute=True):
        holds.order_bank_transfer_confirm(order=order, user=StaffFactory(is_staff=True), reference="ICBC 42")

    texts = receipts("13712345678")
    assert len(texts) == 1 and str(order.number) in texts[0]
    assert mail.outbox == []
