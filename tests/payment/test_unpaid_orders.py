"""Unpaid card orders are cancelled and their stock given back; Stripe is asked first."""

import pytest
from django.test import TestCase

from shop.payment import services
from shop.payment.models import StripePayment
from shop.payment.tasks import stripe_payments_reconcile_task, stripe_unpaid_orders_cancel_task
from tests.factories.payment import age_order, pending_order, stock_of

pytestmark = pytest.mark.django_db


def card_order(fake_stripe, *, minutes_ago=31, with_intent=True, **kwargs):
    order = pending_order(**kwargs)
    payment = services.stripe_payment_open(order=order)
    if with_intent:
        services.stripe_payment_intent_ensure(payment=payment)
        payment.refresh_from_db()
    return age_order(order, minutes=minutes_ago), payment


def run_cancel_job():
    with TestCase.captureOnCommitCallbacks(execute=True):
        return stripe_unpaid_orders_cancel_task()


def test_an_abandoned_card_order_is_cancelled_its_intent_too_and_its_stock_given_back(fake_stripe):
    order, payment = card_order(fake_stripe, quantity=3, stock=10)
    assert stock_of(order) == (10, 3)

    cancelled = run_cancel_job()

    assert cancelled == 1
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == "Cancelled"
    assert payment.state == "canceled"
    assert stock_of(order) == (10, 0)
    assert fake_stripe.intents[payment.payment_intent_id]["status"] == "canceled"
    [cancel] = fake_stripe.calls("POST", f"/v1/payment_intents/{payment.payment_intent_id}/cancel")
    assert cancel.idempotency_key == f"order-{order.number}-pi-cancel-v1"
    assert order.notes.filter(message__icontains="stock").exists() or order.notes.exists()


def test_running_the_job_again_changes_nothing(fake_stripe):
    order, payment = card_order(fake_stripe)
    run_cancel_job()

    assert run_cancel_job() == 0
    assert stock_of(order)[1] == 0
    assert order.status_changes.filter(new_status="Cancelled").count() == 1


def test_an_order_paid_at_stripe_whose_webhook_never_came_is_marked_paid_not_cancelled(fake_stripe):
    order, payment = card_order(fake_stripe, quantity=2, stock=10)
    fake_stripe.pay(payment.payment_intent_id)

    cancelled = run_cancel_job()

    order.refresh_from_db()
    assert cancelled == 0
    assert order.status == "Paid"
    assert stock_of(order) == (10, 2)
    assert fake_stripe.calls("POST", f"/v1/payment_intents/{payment.payment_intent_id}/cancel") == []


def test_an_order_whose_bank_is_still_processing_is_left_alone(fake_stripe):
    order, payment = card_order(fake_stripe)
    fake_stripe.set_status(payment.payment_intent_id, "processing")

    assert run_cancel_job() == 0

    order.refresh_from_db()
    assert order.status == "Pending payment"
    assert StripePayment.objects.get(pk=payment.pk).state == "processing"


def test_a_card_order_younger_than_the_limit_is_kept(fake_stripe, settings):
    settings.STRIPE_UNPAID_ORDER_MINUTES = 30
    order, payment = card_order(fake_stripe, minutes_ago=29)

    assert run_cancel_job() == 0
    order.refresh_from_db()
    assert order.status == "Pending payment"


def test_a_card_order_that_never_got_an_intent_is_cancelled_without_asking_stripe(fake_stripe):
    order, payment = card_order(fake_stripe, with_intent=False, quantity=1, stock=5)

    assert run_cancel_job() == 1

    order.refresh_from_db()
    assert order.status == "Cancelled"
    assert stock_of(order) == (5, 0)
    assert fake_stripe.requests == []


def test_orders_paid_another_way_are_never_touched_by_the_card_job(fake_stripe):
    order = age_order(pending_order(quantity=1, stock=5), minutes=600)  # e.g. bank transfer: no card payment

    assert run_cancel_job() == 0
    order.refresh_from_db()
    assert order.status == "Pending payment"
    assert stock_of(order) == (5, 1)


def test_when_stripe_cannot_be_asked_the_order_is_not_cancelled_blind(fake_stripe):
    order, payment = card_order(fake_stripe)
    fake_stripe.fault("503", path="/v1/payment_intents/")

    assert run_cancel_job() == 0

    order.refresh_from_db()
    assert order.status == "Pending payment"


def test_if_the_buyer_pays_while_the_job_cancels_the_payment_wins(fake_stripe):
    # Given Stripe refuses the cancellation because the intent has just succeeded
    order, payment = card_order(fake_stripe)
    fake_stripe.pay_just_before_cancel(payment.payment_intent_id)

    assert run_cancel_job() == 0

    order.refresh_from_db()
    assert order.status == "Paid"


def test_reconciliation_marks_paid_an_order_whose_webhook_was_missed(fake_stripe):
    order, payment = card_order(fake_stripe, minutes_ago=10)
    StripePayment.objects.filter(pk=payment.pk).update(created_at=order.date_placed)
    fake_stripe.pay(payment.payment_intent_id)

    with TestCase.captureOnCommitCallbacks(execute=True):
        changed = stripe_payments_reconcile_task()

    order.refresh_from_db()
    assert changed == 1
    assert order.status == "Paid"


def test_reconciliation_records_a_decline_it_was_not_told_about(fake_stripe):
    order, payment = card_order(fake_stripe, minutes_ago=10)
    StripePayment.objects.filter(pk=payment.pk).update(created_at=order.date_placed)
    fake_stripe.decline(payment.payment_intent_id)

    stripe_payments_reconcile_task()

    assert StripePayment.objects.get(pk=payment.pk).state == "failed"


def test_an_order_cancelled_by_staff_has_its_intent_cancelled_at_stripe(fake_stripe):
    order, payment = card_order(fake_stripe, minutes_ago=1)

    with TestCase.captureOnCommitCallbacks(execute=True):
        order.set_status("Cancelled")

    payment.refresh_from_db()
    assert payment.state == "canceled"
    assert fake_stripe.intents[payment.payment_intent_id]["status"] == "canceled"
