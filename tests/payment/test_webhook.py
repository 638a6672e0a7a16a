"""The webhook: only Stripe's signed events get in, each once, and an order's payment only moves forward."""

import json
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from oscar.core.loading import get_model

from shop.payment import services
from shop.payment.models import StripeEvent, StripePayment
from shop.payment.tasks import stripe_events_sweep_task
from tests.factories.payment import pending_order
from tests.payment.conftest import WEBHOOK_URL, deliver

pytestmark = pytest.mark.django_db

Source = get_model("payment", "Source")
PaymentEvent = get_model("order", "PaymentEvent")
OrderStatusChange = get_model("order", "OrderStatusChange")


@pytest.fixture
def started(fake_stripe):
    """A card order whose PaymentIntent exists at the fake, as after the buyer opened the pay page."""
    order = pending_order(user=None, price="39.80", quantity=2, guest_email="guest@example.com")
    payment = services.stripe_payment_open(order=order)
    services.stripe_payment_intent_ensure(payment=payment)
    payment.refresh_from_db()
    return order, payment


def paid_event(fake_stripe, payment, **kwargs):
    fake_stripe.pay(payment.payment_intent_id, **{k: v for k, v in kwargs.items() if k != "created"})
    extra = {"created": kwargs["created"]} if "created" in kwargs else {}
    return fake_stripe.intent_event("payment_intent.succeeded", payment.payment_intent_id, **extra)


def test_a_signed_succeeded_event_marks_the_order_paid_with_oscar_payment_history(
    client, fake_stripe, started
):
    order, payment = started
    event = paid_event(fake_stripe, payment)

    response = deliver(client, event)

    assert response.status_code == 200
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == "Paid"
    assert payment.state == "succeeded"
    assert payment.amount_received == order.total_incl_tax
    source = Source.objects.get(order=order)
    assert (source.source_type.code, source.reference) == ("stripe-card", payment.payment_intent_id)
    assert source.amount_debited == order.total_incl_tax
    assert source.transactions.get().txn_type == "Debit"
    paid = PaymentEvent.objects.get(order=order)
    assert (paid.event_type.name, paid.amount) == ("Paid", order.total_incl_tax)
    assert paid.line_quantities.count() == order.lines.count()
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert stored.outcome == "applied" and stored.processed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["guest@example.com"]
    assert order.number in mail.outbox[0].subject


def test_the_same_event_delivered_twice_changes_nothing_the_second_time(client, fake_stripe, started):
    order, payment = started
    event = paid_event(fake_stripe, payment)
    deliver(client, event)

    again = deliver(client, event)

    assert again.status_code == 200
    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1
    assert OrderStatusChange.objects.filter(order=order, new_status="Paid").count() == 1
    assert Source.objects.filter(order=order).count() == 1
    assert len(mail.outbox) == 1


def test_a_second_succeeded_event_for_a_paid_order_is_stored_and_ignored(client, fake_stripe, started):
    order, payment = started
    deliver(client, paid_event(fake_stripe, payment))
    other = fake_stripe.intent_event("payment_intent.succeeded", payment.payment_intent_id)

    deliver(client, other)

    assert StripeEvent.objects.get(event_id=other["id"]).outcome == "ignored"
    assert PaymentEvent.objects.filter(order=order).count() == 1
    assert len(mail.outbox) == 1


def test_a_failed_event_arriving_after_success_does_not_undo_the_payment(client, fake_stripe, started):
    order, payment = started
    earlier = int(time.time()) - 60
    fake_stripe.decline(payment.payment_intent_id)
    failed = fake_stripe.intent_event(
        "payment_intent.payment_failed", payment.payment_intent_id, created=earlier
    )
    deliver(client, paid_event(fake_stripe, payment))

    deliver(client, failed)

    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.state == "succeeded"
    assert order.status == "Paid"
    assert StripeEvent.objects.get(event_id=failed["id"]).outcome == "ignored"


def test_a_failed_event_records_the_reason_and_leaves_the_order_open_for_another_try(
    client, fake_stripe, started
):
    order, payment = started
    fake_stripe.decline(payment.payment_intent_id, "Your card has insufficient funds.")

    deliver(client, fake_stripe.intent_event("payment_intent.payment_failed", payment.payment_intent_id))

    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.state == "failed"
    assert payment.last_error == "Your card has insufficient funds."
    assert order.status == "Pending payment"


def test_an_older_failure_reaching_us_late_does_not_move_a_newer_state_back(client, fake_stripe, started):
    order, payment = started
    now = int(time.time())
    fake_stripe.decline(payment.payment_intent_id)
    old_failure = fake_stripe.intent_event(
        "payment_intent.payment_failed", payment.payment_intent_id, created=now - 30
    )
    fake_stripe.set_status(payment.payment_intent_id, "processing")
    processing = fake_stripe.intent_event("payment_intent.processing", payment.payment_intent_id, created=now)
    deliver(client, processing)

    deliver(client, old_failure)

    payment.refresh_from_db()
    assert payment.state == "processing"


def test_an_amount_that_does_not_match_the_order_flags_it_and_does_not_mark_it_paid(
    client, fake_stripe, started
):
    order, payment = started
    event = paid_event(fake_stripe, payment, amount_received=100)

    deliver(client, event)

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == "Pending payment"
    assert payment.state == "requires_payment"
    assert payment.needs_review is True
    assert "¥1.00" in payment.review_reason and "¥79.60" in payment.review_reason
    assert order.notes.filter(note_type="Warning").exists()
    assert StripeEvent.objects.get(event_id=event["id"]).outcome == "flagged"
    assert not Source.objects.filter(order=order).exists()
    assert mail.outbox == []


def test_a_currency_that_does_not_match_flags_the_order(client, fake_stripe, started):
    order, payment = started

    deliver(client, paid_event(fake_stripe, payment, currency="usd"))

    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.needs_review is True
    assert "USD" in payment.review_reason
    assert order.status == "Pending payment"


@pytest.mark.parametrize(
    "tamper",
    ["no signature", "wrong secret", "tampered body", "stale timestamp", "not json"],
)
def test_a_webhook_that_is_not_provably_from_stripe_is_refused_and_nothing_is_stored(
    client, fake_stripe, started, tamper
):
    order, payment = started
    event = paid_event(fake_stripe, payment)
    payload = json.dumps(event)

    if tamper == "no signature":
        response = client.post(WEBHOOK_URL, data=payload, content_type="application/json")
    elif tamper == "wrong secret":
        response = deliver(client, event, secret="whsec_someone_else")
    elif tamper == "tampered body":
        signed_for = payload
        from tests.payment.fake_stripe import sign

        header = sign(signed_for, "whsec_test_fake_secret")
        response = client.post(
            WEBHOOK_URL,
            data=payload.replace('"amount_received": 7960', '"amount_received": 1'),
            content_type="application/json",
            headers={"Stripe-Signature": header},
        )
    elif tamper == "stale timestamp":
        response = deliver(client, event, timestamp=int(time.time()) - 301)
    else:
        response = deliver(client, event, body="not json at all")

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    order.refresh_from_db()
    assert order.status == "Pending payment"


def test_without_a_webhook_secret_every_webhook_is_refused(client, fake_stripe, started, settings):
    order, payment = started
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = deliver(client, paid_event(fake_stripe, payment), secret="")

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_an_unknown_event_type_is_acknowledged_stored_and_ignored(client, fake_stripe):
    event = fake_stripe.event("customer.created", {"id": "cus_1", "object": "customer"})

    response = deliver(client, event)

    assert response.status_code == 200
    assert StripeEvent.objects.get(event_id=event["id"]).outcome == "ignored"


def test_an_event_for_an_intent_the_shop_does_not_know_is_ignored(client, fake_stripe):
    event = fake_stripe.event(
        "payment_intent.succeeded",
        {
            "id": "pi_elsewhere",
            "object": "payment_intent",
            "amount": 100,
            "currency": "cny",
            "status": "succeeded",
        },
    )

    deliver(client, event)

    assert StripeEvent.objects.get(event_id=event["id"]).outcome == "ignored"


def test_the_webhook_acknowledges_with_a_handful_of_queries(
    client, fake_stripe, django_assert_max_num_queries
):
    event = fake_stripe.event("customer.created", {"id": "cus_1", "object": "customer"})
    payload = json.dumps(event)
    from tests.payment.fake_stripe import sign

    with django_assert_max_num_queries(3):
        response = client.post(
            WEBHOOK_URL,
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": sign(payload, "whsec_test_fake_secret")},
        )

    assert response.status_code == 200


@pytest.fixture
def redis_down(settings):
    """Celery sends to a broker that refuses connections (a Redis that is down)."""
    from shop.celery_app import app

    before = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/7"
    app._pool = None
    yield
    app.conf.update(before)
    app._pool = None


def test_with_redis_down_the_event_is_stored_acknowledged_and_processed_later_by_the_sweeper(
    client, fake_stripe, started, redis_down
):
    order, payment = started
    event = paid_event(fake_stripe, payment)

    started_at = time.perf_counter()
    response = deliver(client, event)
    elapsed = time.perf_counter() - started_at

    assert response.status_code == 200
    assert elapsed < 1.0  # no waiting on the broker: kombu alone would retry for seconds
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert stored.processed_at is None
    order.refresh_from_db()
    assert order.status == "Pending payment"


def test_the_sweeper_processes_events_nobody_processed(client, fake_stripe, started):
    # Given an event stored two minutes ago that no task processed (the queue was down)
    order, payment = started
    event = paid_event(fake_stripe, payment)
    services.stripe_event_record(event=event)  # on_commit never runs inside the test transaction
    StripeEvent.objects.filter(event_id=event["id"]).update(received_at=timezone.now() - timedelta(minutes=2))

    with TestCase.captureOnCommitCallbacks(execute=True):
        processed = stripe_events_sweep_task()

    assert processed == 1
    order.refresh_from_db()
    assert order.status == "Paid"
    assert StripePayment.objects.get(pk=payment.pk).receipt_sent_at is not None


def test_the_sweeper_leaves_fresh_events_to_their_task(fake_stripe, started):
    order, payment = started
    services.stripe_event_record(event=paid_event(fake_stripe, payment))

    assert stripe_events_sweep_task() == 0


def test_refunded_charge_event_records_a_refund_made_in_stripes_dashboard(client, fake_stripe, started):
    order, payment = started
    deliver(client, paid_event(fake_stripe, payment))
    fake_stripe.refund_at_stripe(payment.payment_intent_id, 1000)

    deliver(client, fake_stripe.charge_refunded_event(payment.payment_intent_id))

    payment.refresh_from_db()
    assert payment.state == "partially_refunded"
    assert str(payment.amount_refunded) == "10.00"
    refund_event = PaymentEvent.objects.get(order=order, event_type__name="Refunded")
    assert str(refund_event.amount) == "10.00"
    assert str(Source.objects.get(order=order).amount_refunded) == "10.00"


def test_money_arriving_for_an_order_cancelled_meanwhile_is_recorded_flagged_and_not_thanked(
    client, fake_stripe, started
):
    # Given staff cancelled the order just as the buyer paid (the intent was not cancelled in time)
    order, payment = started
    order.set_status("Cancelled")
    event = paid_event(fake_stripe, payment)

    deliver(client, event)
    StripePayment.objects.filter(pk=payment.pk).update(paid_at=timezone.now() - timedelta(minutes=10))
    with TestCase.captureOnCommitCallbacks(execute=True):
        stripe_events_sweep_task()

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == "Cancelled"
    assert payment.state == "succeeded"  # the money is real: staff can refund it from the dashboard
    assert payment.needs_review is True
    assert StripeEvent.objects.get(event_id=event["id"]).outcome == "flagged"
    assert mail.outbox == []


def test_an_event_that_keeps_failing_is_left_for_people_after_ten_attempts(fake_stripe, started):
    order, payment = started
    record, _created = services.stripe_event_record(event=paid_event(fake_stripe, payment))
    StripeEvent.objects.filter(pk=record.pk).update(
        attempts=10, received_at=timezone.now() - timedelta(minutes=5)
    )

    assert stripe_events_sweep_task() == 0
    order.refresh_from_db()
    assert order.status == "Pending payment"


def test_the_sweeper_drains_a_backlog_in_batches_past_any_fixed_limit_fetching_each_intent_once(
    client, fake_stripe
):
    # A backlog after an outage: 3 events for each of 12 card orders, none processed, in 4 batches
    payments = []
    for n in range(12):
        order = pending_order(user=None, price="39.80", quantity=2, guest_email=f"b{n}@example.com")
        payment = services.stripe_payment_open(order=order)
        services.stripe_payment_intent_ensure(payment=payment)
        payment.refresh_from_db()
        fake_stripe.pay(payment.payment_intent_id)
        for _ in range(2):
            services.stripe_event_record(
                event=fake_stripe.intent_event("payment_intent.succeeded", payment.payment_intent_id)
            )
        fake_stripe.refund_at_stripe(payment.payment_intent_id, 1000)
        services.stripe_event_record(event=fake_stripe.charge_refunded_event(payment.payment_intent_id))
        payments.append(payment)
    StripeEvent.objects.update(received_at=timezone.now() - timedelta(minutes=2))
    fetches_before = len(fake_stripe.calls("GET", "/v1/payment_intents/"))

    result = services.stripe_events_sweep(batch_size=10)

    assert result == {"processed": 36, "failed": 0, "stripe_fetches": 12}
    assert len(fake_stripe.calls("GET", "/v1/payment_intents/")) - fetches_before == 12
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()
    for payment in payments:
        payment.refresh_from_db()
        assert payment.state == "partially_refunded"
    assert stripe_events_sweep_task() == 0  # nothing left for the next minute
