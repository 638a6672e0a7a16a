"""Outbox handlers of the payment room (contract: core.outbox)."""

from core.outbox import outbox_handler

from .models import StripePayment
from .services import stripe_payment_receipt_send


@outbox_handler("payment.receipt")
def payment_receipt(payload: dict) -> None:
    """ "Payment received" e-mail (idempotent: ``StripePayment.receipt_sent_at`` is claimed first)."""
    if StripePayment.objects.filter(pk=payload["payment_id"]).exists():
        stripe_payment_receipt_send(payment_id=payload["payment_id"])
