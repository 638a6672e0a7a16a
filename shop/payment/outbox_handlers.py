"""Outbox handlers of the payment room (contract: core.outbox)."""

from decimal import Decimal

from core.outbox import outbox_handler

from .models import StripePayment
from .services import stripe_payment_intent_amount_sync, stripe_payment_receipt_send


@outbox_handler("payment.receipt")
def payment_receipt(payload: dict) -> None:
    """ "Payment received" e-mail (idempotent: ``StripePayment.receipt_sent_at`` is claimed first)."""
    if StripePayment.objects.filter(pk=payload["payment_id"]).exists():
        stripe_payment_receipt_send(payment_id=payload["payment_id"])


@outbox_handler("payment.intent_amount")
def intent_amount(payload: dict) -> None:
    """A pending PaymentIntent asks for the order's new, lower total (lines were taken off it)."""
    stripe_payment_intent_amount_sync(payment_id=payload["payment_id"], amount=Decimal(payload["amount"]))
