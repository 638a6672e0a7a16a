"""Outbox handlers of phone accounts (contract: core.outbox)."""

from core.outbox import outbox_handler

from .services import code_sms_send, order_confirmation_sms_send, payment_receipt_sms_send


@outbox_handler("phone.code_sms")
def code_sms(payload: dict) -> None:
    """A one-time code (not sent once it can no longer be used)."""
    code_sms_send(code_id=payload["code_id"], masked=payload["masked"])


@outbox_handler("phone.order_confirmation_sms")
def order_confirmation_sms(payload: dict) -> None:
    """The order confirmation, by SMS, for an order with no e-mail address (once)."""
    order_confirmation_sms_send(order_id=payload["order_id"])


@outbox_handler("phone.payment_receipt_sms")
def payment_receipt_sms(payload: dict) -> None:
    """The "payment received" SMS, for a paid order with no e-mail address (once)."""
    payment_receipt_sms_send(order_id=payload["order_id"])
