"""A recall reaching a card order nobody has paid yet: the pending PaymentIntent asks for the new total
(or is cancelled with the order); a buyer who paid the old amount meanwhile is flagged for staff."""

from decimal import Decimal

import pytest
from django.test import TestCase
from oscar.core.loading import get_model

from shop.payment import services as payments
from shop.payment.methods import StripeCard
from shop.payment.models import StripePayment
from tests.factories.order import basket_with, place_order, product_for_sale
from tests.factories.traceability import published, seller
from traceability import recall as recalls
from traceability.models import Batch

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")


@pytest.fixture
def tea(db):
    return seller(product_class_slug="tea", title="竹溪贡茶 明前特级 100克", stock=0)


@pytest.fixture
def honey(db):
    return product_for_sale(title="房县黑木耳 200克", price="30.00", stock=10)


def _order(*lines):
    order = place_order(basket=basket_with(*lines), guest_email="buyer@example.com")
    StripeCard().order_placed(order=order)
    order.refresh_from_db()
    return order


def _recall(batch):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return recalls.batch_recall(batch=Batch.objects.get(pk=batch.pk), reason="农残超标")


def test_a_pending_card_payment_asks_stripe_for_the_new_total_once(fake_stripe, tea, honey):
    batch = published(tea, quantity=10)
    order = _order((tea.product, 2), (honey, 1))
    payment = StripePayment.objects.get(order=order)
    payments.stripe_payment_intent_ensure(payment=payment)
    payment.refresh_from_db()

    _recall(batch)

    payment.refresh_from_db()
    assert payment.amount == Decimal("30.00") and payment.state == "requires_payment"
    assert fake_stripe.intents[payment.payment_intent_id]["amount"] == 3000
    [update] = fake_stripe.calls("POST", f"/v1/payment_intents/{payment.payment_intent_id}")
    assert update.idempotency_key == f"order-{order.number}-pi-amount-3000"
    # The buyer then pays the new amount: the order is paid, nothing flagged.
    fake_stripe.pay(payment.payment_intent_id)
    with TestCase.captureOnCommitCallbacks(execute=True):
        payments.stripe_payment_reconcile(payment=payment)
    order.refresh_from_db()
    assert order.status == "Paid"


def test_a_card_order_holding_only_the_recalled_product_is_cancelled_with_its_intent(fake_stripe, tea):
    batch = published(tea, quantity=10)
    order = _order((tea.product, 1))
    payment = StripePayment.objects.get(order=order)
    payments.stripe_payment_intent_ensure(payment=payment)
    payment.refresh_from_db()

    _recall(batch)

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == "Cancelled" and payment.state == "canceled"
    assert fake_stripe.intents[payment.payment_intent_id]["status"] == "canceled"
    [cancel] = fake_stripe.calls("POST", f"/v1/payment_intents/{payment.payment_intent_id}/cancel")
    assert cancel.idempotency_key == f"order-{order.number}-pi-cancel-v1"


def test_a_buyer_who_paid_the_old_amount_meanwhile_is_flagged_for_staff_not_marked_paid(
    fake_stripe, tea, honey
):
    batch = published(tea, quantity=10)
    order = _order((tea.product, 2), (honey, 1))
    payment = StripePayment.objects.get(order=order)
    payments.stripe_payment_intent_ensure(payment=payment)
    payment.refresh_from_db()
    fake_stripe.pay(payment.payment_intent_id)  # paid at Stripe, webhook not here yet

    _recall(batch)

    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.needs_review and order.status == "Pending payment"
    assert order.notes.filter(note_type="Warning").exists()
