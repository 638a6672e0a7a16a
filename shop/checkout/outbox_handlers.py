"""Outbox handlers of the checkout (contract: core.outbox)."""

from core.outbox import outbox_handler

from .holds import order_hold_expired_send, order_transfer_receipt_send


@outbox_handler("checkout.hold_expired")
def hold_expired(payload: dict) -> None:
    """ "Your unpaid order was cancelled" (once: Oscar's communication event is checked first)."""
    order_hold_expired_send(order_id=payload["order_id"])


@outbox_handler("checkout.transfer_receipt")
def transfer_receipt(payload: dict) -> None:
    """ "We received your bank transfer" (once: Oscar's communication event is checked first)."""
    order_transfer_receipt_send(order_id=payload["order_id"])
