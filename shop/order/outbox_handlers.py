"""Outbox handlers of the order room (contract: core.outbox)."""

from oscar.core.loading import get_model

from core.outbox import outbox_handler

from .services import order_confirmation_send, shipment_notice_send

Order = get_model("order", "Order")


@outbox_handler("order.confirmation")
def order_confirmation(payload: dict) -> None:
    """The order confirmation e-mail (idempotent through Oscar's communication event)."""
    if Order._default_manager.filter(pk=payload["order_id"]).exists():
        order_confirmation_send(order_id=payload["order_id"])


@outbox_handler("order.shipment_notice")
def shipment_notice(payload: dict) -> None:
    """The "your parcel is on its way" e-mail, or SMS for a buyer with no e-mail address."""
    shipment_notice_send(shipment_id=payload["shipment_id"])
