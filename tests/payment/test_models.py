"""The rules a card payment's data must never break, held by the database and the one transition service."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop.payment import services
from shop.payment.models import StripeEvent, StripePayment, StripeRefund
from tests.factories.payment import pending_order

pytestmark = pytest.mark.django_db

State = StripePayment.State


@pytest.fixture
def payment():
    return services.stripe_payment_open(order=pending_order(price="50.00", quantity=1))


def breaks_a_constraint(save) -> bool:
    try:
        with transaction.atomic():
            save()
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize("paid_state", [State.SUCCEEDED, State.PARTIALLY_REFUNDED, State.REFUNDED])
@pytest.mark.parametrize("awaiting", [State.REQUIRES_PAYMENT, State.FAILED, State.PROCESSING])
def test_a_paid_payment_never_moves_back_to_awaiting(payment, paid_state, awaiting):
    StripePayment.objects.filter(pk=payment.pk).update(
        state=paid_state,
        amount_received=payment.amount,
        paid_at=timezone.now(),
        amount_refunded={
            State.SUCCEEDED: Decimal("0"),
            State.PARTIALLY_REFUNDED: Decimal("1"),
            State.REFUNDED: payment.amount,
        }[paid_state],
    )
    payment.refresh_from_db()

    assert services.stripe_payment_transition(payment=payment, to=awaiting) is False
    payment.refresh_from_db()
    assert payment.state == paid_state


def test_a_cancelled_payment_is_final(payment):
    services.stripe_payment_transition(payment=payment, to=State.CANCELED, canceled_at=timezone.now())

    for state in State:
        assert services.stripe_payment_transition(payment=payment, to=state) is False


def test_an_older_event_cannot_move_between_awaiting_states(payment):
    newer = datetime(2026, 11, 1, 12, 0, 10, tzinfo=UTC)
    older = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC)
    services.stripe_payment_transition(payment=payment, to=State.PROCESSING, event_at=newer)

    assert services.stripe_payment_transition(payment=payment, to=State.FAILED, event_at=older) is False
    assert services.stripe_payment_transition(payment=payment, to=State.FAILED, event_at=newer) is True


def test_the_database_refuses_a_paid_state_without_the_money(payment):
    payment.state = State.SUCCEEDED
    payment.paid_at = timezone.now()

    assert breaks_a_constraint(payment.save)


def test_the_database_refuses_a_refunded_state_that_does_not_add_up(payment):
    payment.state = State.REFUNDED
    payment.paid_at = timezone.now()
    payment.amount_received = payment.amount
    payment.amount_refunded = Decimal("1.00")

    assert breaks_a_constraint(payment.save)


def test_the_database_refuses_more_refunded_than_received(payment):
    payment.amount_refunded = Decimal("0.01")

    assert breaks_a_constraint(payment.save)


def test_the_database_refuses_two_payments_for_one_intent(payment):
    StripePayment.objects.filter(pk=payment.pk).update(payment_intent_id="pi_same")
    other = services.stripe_payment_open(order=pending_order())
    other.payment_intent_id = "pi_same"

    assert breaks_a_constraint(other.save)


def test_the_database_refuses_a_flag_without_a_reason(payment):
    payment.needs_review = True

    assert breaks_a_constraint(payment.save)


def test_the_database_refuses_a_processed_event_without_an_outcome():
    event = StripeEvent(
        event_id="evt_1",
        type="payment_intent.succeeded",
        payload={},
        stripe_created_at=timezone.now(),
        processed_at=timezone.now(),
    )

    assert breaks_a_constraint(event.save)


def test_the_database_refuses_the_same_event_twice():
    StripeEvent.objects.create(event_id="evt_1", type="x", payload={}, stripe_created_at=timezone.now())

    assert breaks_a_constraint(
        lambda: StripeEvent.objects.create(
            event_id="evt_1", type="x", payload={}, stripe_created_at=timezone.now()
        )
    )


def test_the_database_refuses_a_refund_with_neither_key_nor_stripe_id_or_without_money(payment):
    assert breaks_a_constraint(lambda: StripeRefund.objects.create(payment=payment, amount=Decimal("1.00")))
    assert breaks_a_constraint(
        lambda: StripeRefund.objects.create(payment=payment, amount=Decimal("0"), idempotency_key="k")
    )


def test_a_payment_cannot_be_opened_for_an_order_that_is_not_waiting_for_payment():
    order = pending_order()
    order.set_status("Cancelled")

    with pytest.raises(services.PaymentNotPossible):
        services.stripe_payment_open(order=order)
