"""Refunds from the staff dashboard: they reach Stripe with their own key and land in the order's history."""

import re
from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse
from oscar.core.loading import get_model

from shop.payment import services
from shop.payment import stripe_gateway as gateway
from shop.payment.models import StripePayment, StripeRefund
from tests.factories.payment import card_order, pending_order
from tests.payment.conftest import deliver

pytestmark = pytest.mark.django_db

Source = get_model("payment", "Source")
PaymentEvent = get_model("order", "PaymentEvent")


@pytest.fixture
def paid(fake_stripe, client):
    """A card order for ¥79.60 placed through the card method, paid through the webhook."""
    order = card_order(price="39.80", quantity=2)
    payment = StripePayment.objects.get(order=order)
    services.stripe_payment_intent_ensure(payment=payment)
    payment.refresh_from_db()
    fake_stripe.pay(payment.payment_intent_id)
    deliver(client, fake_stripe.intent_event("payment_intent.succeeded", payment.payment_intent_id))
    payment.refresh_from_db()
    assert payment.state == "succeeded"
    return order, payment


def refund_url(order):
    return reverse("payment_dashboard:stripe-refund-create", kwargs={"number": order.number})


def form_token(response) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def post_refund(staff_client, order, amount, *, token=None, reason="damaged in transit"):
    token = token or form_token(staff_client.get(refund_url(order)))
    with TestCase.captureOnCommitCallbacks(execute=True):
        return staff_client.post(refund_url(order), {"amount": amount, "reason": reason, "token": token})


def test_a_partial_refund_from_the_dashboard_reaches_stripe_and_the_orders_history(
    staff_client, fake_stripe, paid
):
    order, payment = paid

    response = post_refund(staff_client, order, "20.00")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboard:order-detail", kwargs={"number": order.number}))
    [sent] = fake_stripe.calls("POST", "/v1/refunds")
    assert sent.params["amount"] == "2000"
    assert sent.params["payment_intent"] == payment.payment_intent_id
    refund = StripeRefund.objects.get()
    assert sent.idempotency_key == refund.idempotency_key
    assert sent.idempotency_key.startswith(f"order-{order.number}-refund-")
    assert sent.params["metadata"] == {"order_number": order.number, "refund_request": str(refund.pk)}
    payment.refresh_from_db()
    assert payment.state == "partially_refunded"
    assert payment.amount_refunded == Decimal("20.00")
    source = Source.objects.get(order=order)
    assert source.amount_refunded == Decimal("20.00")
    assert source.transactions.filter(txn_type="Refund", amount=Decimal("20.00")).exists()
    assert PaymentEvent.objects.filter(
        order=order, event_type__name="Refunded", amount=Decimal("20.00")
    ).exists()
    assert refund.requested_by == staff_client.staff
    assert order.notes.filter(message__contains=refund.stripe_refund_id).exists()


def test_the_rest_refunded_afterwards_makes_the_payment_refunded(staff_client, fake_stripe, paid):
    order, payment = paid
    post_refund(staff_client, order, "20.00")

    post_refund(staff_client, order, "59.60")

    payment.refresh_from_db()
    assert payment.state == "refunded"
    assert payment.amount_refunded == payment.amount_received == Decimal("79.60")
    page = staff_client.get(refund_url(order)).content.decode()
    assert 'name="amount"' not in page


@pytest.mark.parametrize("amount", ["0", "-5", "79.61", "1.005", "abc", ""])
def test_a_bad_amount_gets_a_clear_message_and_nothing_is_sent(staff_client, fake_stripe, paid, amount):
    order, payment = paid

    response = post_refund(staff_client, order, amount)

    assert response.status_code == 200
    errors = response.context["form"].errors["amount"]
    assert errors and all(str(e) for e in errors)
    assert fake_stripe.calls("POST", "/v1/refunds") == []
    assert not StripeRefund.objects.exists()


def test_more_than_what_is_left_after_an_earlier_refund_is_refused(staff_client, fake_stripe, paid):
    order, payment = paid
    post_refund(staff_client, order, "70.00")

    response = post_refund(staff_client, order, "10.00")

    assert response.status_code == 200
    assert "9.60" in str(response.context["form"].errors["amount"])
    assert len(fake_stripe.calls("POST", "/v1/refunds")) == 1


def test_the_same_form_posted_twice_is_one_refund(staff_client, fake_stripe, paid):
    order, payment = paid
    token = form_token(staff_client.get(refund_url(order)))

    post_refund(staff_client, order, "10.00", token=token)
    post_refund(staff_client, order, "10.00", token=token)

    assert StripeRefund.objects.count() == 1
    assert len(fake_stripe.calls("POST", "/v1/refunds")) == 1
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("10.00")


def test_when_stripe_does_not_answer_the_refund_is_kept_and_sent_again_with_the_same_key(
    staff_client, fake_stripe, paid
):
    order, payment = paid
    fake_stripe.fault("503", path="/v1/refunds")

    first = post_refund(staff_client, order, "15.00")

    refund = StripeRefund.objects.get()
    assert first.status_code == 302
    assert refund.state == "requested"
    page = staff_client.get(refund_url(order)).content.decode()
    assert reverse("payment_dashboard:stripe-refund-send", kwargs={"pk": refund.pk}) in page

    with TestCase.captureOnCommitCallbacks(execute=True):
        staff_client.post(reverse("payment_dashboard:stripe-refund-send", kwargs={"pk": refund.pk}))

    refund.refresh_from_db()
    assert refund.state == "succeeded"
    keys = [c.idempotency_key for c in fake_stripe.calls("POST", "/v1/refunds")]
    assert keys == [refund.idempotency_key, refund.idempotency_key]
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("15.00")


def test_a_refund_stripe_refuses_is_marked_failed_with_its_reason(staff_client, fake_stripe, paid):
    order, payment = paid
    fake_stripe.refund_at_stripe(payment.payment_intent_id, 7000)  # money already gone, we were not told

    post_refund(staff_client, order, "20.00")

    refund = StripeRefund.objects.get(idempotency_key__startswith="order-")
    assert refund.state == "failed"
    assert "greater than" in refund.failure_message
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("0.00")


def test_a_webhook_arriving_before_the_refund_call_returns_does_not_count_the_refund_twice(
    client, fake_stripe, paid
):
    # Given a saved request whose call reached Stripe, and Stripe's webhook for it arrives first
    order, payment = paid
    refund = services.stripe_refund_request(
        payment=payment, amount="25.00", token=services.new_refund_token()
    )
    gateway.refund_create(
        payment_intent_id=payment.payment_intent_id,
        amount=refund.amount,
        idempotency_key=refund.idempotency_key,
        metadata={"order_number": order.number, "refund_request": str(refund.pk)},
    )
    deliver(client, fake_stripe.charge_refunded_event(payment.payment_intent_id))

    # When our own call's answer is applied (a retry with the same key: Stripe replays it)
    services.stripe_refund_submit(refund=refund)

    payment.refresh_from_db()
    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert payment.amount_refunded == Decimal("25.00")
    assert PaymentEvent.objects.filter(order=order, event_type__name="Refunded").count() == 1
    assert StripeRefund.objects.count() == 1


def test_an_unpaid_payment_cannot_be_refunded(fake_stripe):
    order = pending_order()
    payment = services.stripe_payment_open(order=order)

    with pytest.raises(services.RefundNotAllowed):
        services.stripe_refund_request(payment=payment, amount="1.00", token=services.new_refund_token())


def test_only_staff_reach_the_refund_page(client, paid, django_user_model):
    order, payment = paid
    anonymous = client.get(refund_url(order))
    client.force_login(django_user_model.objects.create_user("buyer2", "b2@example.com", "x"))

    response = client.post(refund_url(order), {"amount": "1.00", "token": "0" * 32})

    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]
    assert response.status_code == 403
    assert not StripeRefund.objects.exists()


def test_oscars_order_page_shows_the_card_payment_and_links_to_the_refund(staff_client, paid):
    order, payment = paid

    page = staff_client.get(
        reverse("dashboard:order-detail", kwargs={"number": order.number})
    ).content.decode()

    assert payment.payment_intent_id in page
    assert refund_url(order) in page


def test_the_card_payments_list_puts_flagged_ones_first(
    staff_client, fake_stripe, paid, django_assert_max_num_queries
):
    order, payment = paid
    flagged_order = pending_order()
    flagged = services.stripe_payment_open(order=flagged_order)
    StripePayment.objects.filter(pk=flagged.pk).update(needs_review=True, review_reason="amount mismatch")
    for _ in range(5):
        services.stripe_payment_open(order=pending_order())

    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("payment_dashboard:stripe-payment-list"))

    payments = list(response.context["payments"])
    assert payments[0].pk == flagged.pk
    assert len(payments) == 7


def test_closing_a_review_clears_the_flag_and_keeps_the_note(staff_client, fake_stripe):
    order = pending_order()
    payment = services.stripe_payment_open(order=order)
    StripePayment.objects.filter(pk=payment.pk).update(needs_review=True, review_reason="amount mismatch")

    staff_client.post(
        reverse("payment_dashboard:stripe-payment-review-clear", kwargs={"pk": payment.pk}),
        {"note": "Buyer refunded at Stripe by hand"},
    )

    payment.refresh_from_db()
    assert payment.needs_review is False
    assert order.notes.filter(message__contains="Buyer refunded at Stripe by hand").exists()


def test_the_dashboard_menu_offers_card_payments_to_staff(staff_client):
    page = staff_client.get(reverse("dashboard:index")).content.decode()

    assert reverse("payment_dashboard:stripe-payment-list") in page
