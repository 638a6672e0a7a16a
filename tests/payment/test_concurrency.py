"""Stripe delivering at once, many times: one state change, one e-mail (PostgreSQL row locks)."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from oscar.core.loading import get_model

from shop.payment import services
from shop.payment.models import StripeEvent, StripePayment
from tests.factories.payment import pending_order
from tests.payment.conftest import WEBHOOK_SECRET, WEBHOOK_URL
from tests.payment.fake_stripe import sign

# serialized_rollback: every transactional test restores the migrated data (content types, the Wagtail
# root) instead of letting its flush re-create it with new ids, which broke the next serialized test.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

Source = get_model("payment", "Source")
OrderStatusChange = get_model("order", "OrderStatusChange")
PaymentEvent = get_model("order", "PaymentEvent")

TIMES = 10


@pytest.fixture
def paid_at_stripe(fake_stripe):
    order = pending_order(price="39.80", quantity=2)
    payment = services.stripe_payment_open(order=order)
    services.stripe_payment_intent_ensure(payment=payment)
    payment.refresh_from_db()
    fake_stripe.pay(payment.payment_intent_id)
    return order, payment


def deliver_all_at_once(payloads: list[str]) -> list[int]:
    """POST each payload from its own thread and connection, all released at the same moment."""
    barrier = threading.Barrier(len(payloads))

    def post(payload: str) -> int:
        try:
            client = Client()
            headers = {"Stripe-Signature": sign(payload, WEBHOOK_SECRET)}
            barrier.wait(timeout=10)
            return client.post(
                WEBHOOK_URL, data=payload, content_type="application/json", headers=headers
            ).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(payloads)) as pool:
        return list(pool.map(post, payloads))


def test_the_same_event_delivered_ten_times_at_once_is_one_state_change_and_one_email(
    fake_stripe, paid_at_stripe
):
    order, payment = paid_at_stripe
    payload = json.dumps(fake_stripe.intent_event("payment_intent.succeeded", payment.payment_intent_id))

    statuses = deliver_all_at_once([payload] * TIMES)

    assert statuses == [200] * TIMES
    assert StripeEvent.objects.count() == 1
    assert OrderStatusChange.objects.filter(order=order, new_status="Paid").count() == 1
    assert Source.objects.filter(order=order).count() == 1
    assert PaymentEvent.objects.filter(order=order).count() == 1
    assert len(mail.outbox) == 1
    assert StripePayment.objects.get(pk=payment.pk).state == "succeeded"


def test_ten_different_success_events_for_one_payment_at_once_are_one_state_change_and_one_email(
    fake_stripe, paid_at_stripe
):
    order, payment = paid_at_stripe
    payloads = [
        json.dumps(fake_stripe.intent_event("payment_intent.succeeded", payment.payment_intent_id))
        for _ in range(TIMES)
    ]

    statuses = deliver_all_at_once(payloads)

    assert statuses == [200] * TIMES
    outcomes = sorted(StripeEvent.objects.values_list("outcome", flat=True))
    assert outcomes == ["applied"] + ["ignored"] * (TIMES - 1)
    assert OrderStatusChange.objects.filter(order=order, new_status="Paid").count() == 1
    assert Source.objects.filter(order=order).count() == 1
    assert len(mail.outbox) == 1
