"""Stripe events in every order, twice, and late: the payment always ends where Stripe's objects say.

Each event is applied by fetching the PaymentIntent and its refunds from (the fake) Stripe, so the
order events arrive in does not matter. A payment refunded in full never gets "payment received".
Also: what the webhook refuses (400) although it is correctly signed.
"""

import itertools
import json
import time

import pytest
from django.core import mail
from oscar.core.loading import get_model

from core.outbox import outbox_sweep
from shop.payment import services
from shop.payment.models import StripeEvent
from tests.factories.payment import pending_order
from tests.payment.conftest import deliver

pytestmark = pytest.mark.django_db

PaymentEvent = get_model("order", "PaymentEvent")


@pytest.fixture
def started(fake_stripe):
    order = pending_order(user=None, price="39.80", quantity=2, guest_email="guest@example.com")
    payment = services.stripe_payment_open(order=order)
    services.stripe_payment_intent_ensure(payment=payment)
    payment.refresh_from_db()
    return order, payment


def events_of_a_card_declined_then_paid_then_refunded(fake_stripe, payment, *, refund_fen):
    """The three events Stripe sends over the payment's life; Stripe's objects end refunded."""
    intent_id = payment.payment_intent_id
    fake_stripe.decline(intent_id)
    failed = fake_stripe.intent_event("payment_intent.payment_failed", intent_id)
    fake_stripe.pay(intent_id)
    succeeded = fake_stripe.intent_event("payment_intent.succeeded", intent_id)
    fake_stripe.refund_at_stripe(intent_id, refund_fen)
    refunded = fake_stripe.charge_refunded_event(intent_id)
    return {"failed": failed, "succeeded": succeeded, "refunded": refunded}


def receipts(order) -> int:
    """ "Payment received" e-mails sent for the order (each claims ``receipt_sent_at`` first)."""
    return sum(1 for m in mail.outbox if order.number in m.subject and "已收到付款" in m.subject)


def history(order) -> list[tuple[str, str]]:
    return sorted(
        (e.event_type.name, str(e.amount)) for e in PaymentEvent.objects.filter(order=order).select_related()
    )


@pytest.mark.parametrize("order_of_events", list(itertools.permutations(["failed", "succeeded", "refunded"])))
def test_refunded_in_full_ends_refunded_in_any_order_with_duplicates_and_no_receipt(
    client, fake_stripe, started, order_of_events
):
    order, payment = started
    events = events_of_a_card_declined_then_paid_then_refunded(fake_stripe, payment, refund_fen=7960)

    for name in order_of_events:
        assert deliver(client, events[name]).status_code == 200
        assert deliver(client, events[name]).status_code == 200  # Stripe delivers at least once

    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.state == "refunded"
    assert str(payment.amount_received) == str(payment.amount_refunded) == "79.60"
    assert history(order) == [("Paid", "79.60"), ("Refunded", "79.60")]
    assert receipts(order) == 0 and payment.receipt_sent_at is None
    assert StripeEvent.objects.count() == 3
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()


@pytest.mark.parametrize("order_of_events", list(itertools.permutations(["failed", "succeeded", "refunded"])))
def test_partly_refunded_in_any_order_keeps_one_receipt(client, fake_stripe, started, order_of_events):
    order, payment = started
    events = events_of_a_card_declined_then_paid_then_refunded(fake_stripe, payment, refund_fen=1000)

    for name in order_of_events:
        deliver(client, events[name])
        deliver(client, events[name])

    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.state == "partially_refunded"
    assert str(payment.amount_refunded) == "10.00"
    assert history(order) == [("Paid", "79.60"), ("Refunded", "10.00")]
    assert order.status == "Paid"
    assert receipts(order) == 1


@pytest.mark.parametrize("order_of_events", [("failed", "succeeded"), ("succeeded", "failed")])
def test_declined_then_paid_ends_paid_whichever_event_comes_first(
    client, fake_stripe, started, order_of_events
):
    order, payment = started
    intent_id = payment.payment_intent_id
    fake_stripe.decline(intent_id)
    failed = fake_stripe.intent_event("payment_intent.payment_failed", intent_id)
    fake_stripe.pay(intent_id)
    events = {"failed": failed, "succeeded": fake_stripe.intent_event("payment_intent.succeeded", intent_id)}

    for name in order_of_events:
        deliver(client, events[name])

    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.state == "succeeded" and order.status == "Paid"
    assert receipts(order) == 1


def test_a_refund_landing_before_the_receipt_goes_out_stops_the_receipt(client, fake_stripe, started):
    order, payment = started
    intent_id = payment.payment_intent_id
    fake_stripe.pay(intent_id)
    succeeded = fake_stripe.intent_event("payment_intent.succeeded", intent_id)
    # The success is applied but its receipt still waits in the outbox (no commit here) ...
    services.stripe_event_record(event=succeeded)
    services.stripe_event_process(event_id=succeeded["id"])
    # ... when the refund is applied
    fake_stripe.refund_at_stripe(intent_id, 7960)
    deliver(client, fake_stripe.charge_refunded_event(intent_id))

    outbox_sweep()

    payment.refresh_from_db()
    assert payment.state == "refunded"
    assert receipts(order) == 0 and payment.receipt_sent_at is None


def test_a_late_success_event_days_after_the_refund_changes_nothing(client, fake_stripe, started):
    order, payment = started
    intent_id = payment.payment_intent_id
    fake_stripe.pay(intent_id)
    succeeded = fake_stripe.intent_event(
        "payment_intent.succeeded", intent_id, created=int(time.time()) - 3 * 86400
    )
    fake_stripe.refund_at_stripe(intent_id, 7960)
    deliver(client, fake_stripe.charge_refunded_event(intent_id))
    before = history(order)

    deliver(client, succeeded)  # Stripe retried it for three days

    payment.refresh_from_db()
    assert payment.state == "refunded"
    assert history(order) == before
    assert StripeEvent.objects.get(event_id=succeeded["id"]).outcome == "ignored"
    assert receipts(order) == 0


# --- what the webhook refuses although correctly signed --------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        json.dumps([{"id": "evt_1", "type": "payment_intent.succeeded"}]),
        '"evt_1"',
        "42",
        "null",
        "{not json",
        json.dumps({"type": "payment_intent.succeeded", "created": 1, "data": {"object": {}}}),
        json.dumps({"id": "evt_1", "created": 1, "data": {"object": {}}}),
        json.dumps({"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {}}}),
        json.dumps({"id": "evt_1", "type": "payment_intent.succeeded", "created": "yesterday", "data": {}}),
        json.dumps({"id": "evt_1", "type": "payment_intent.succeeded", "created": 1}),
        json.dumps({"id": "evt_1", "type": "payment_intent.succeeded", "created": 1, "data": []}),
        json.dumps({"id": "evt_1", "type": "payment_intent.succeeded", "created": 1, "data": {"object": []}}),
        json.dumps({"id": ["evt_1"], "type": "x", "created": 1, "data": {"object": {}}}),
    ],
)
def test_a_signed_body_that_is_not_a_stripe_event_is_refused_with_400(client, fake_stripe, body):
    response = deliver(client, None, body=body)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize(
    ("offset", "status"), [(-301, 400), (-200, 200), (200, 200), (301, 400), (86400, 400)]
)
def test_timestamps_more_than_300_seconds_away_either_way_are_refused(
    client, fake_stripe, started, offset, status
):
    order, payment = started
    fake_stripe.pay(payment.payment_intent_id)
    event = fake_stripe.intent_event("payment_intent.succeeded", payment.payment_intent_id)

    response = deliver(client, event, timestamp=int(time.time()) + offset)

    assert response.status_code == status
    assert StripeEvent.objects.filter(event_id=event["id"]).exists() is (status == 200)
