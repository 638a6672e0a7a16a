"""Outbox handlers of core: text messages (see core.outbox for the contract)."""

from core.outbox import outbox_handler
from core.sms import send_sms


@outbox_handler("core.sms")
def sms(payload: dict) -> None:
    """One text message, as recorded by ``core.outbox.outbox_sms``."""
    send_sms(payload["to"], payload["text"])
