"""Outbox handlers of traceability (contract: core.outbox)."""

from core.outbox import outbox_handler
from traceability.anchors import chain_alert_send
from traceability.gates import gate_hold_send
from traceability.models import RecallNotice
from traceability.recall import recall_notice_send


@outbox_handler("traceability.recall_email")
def recall_email(payload: dict) -> None:
    """One buyer's recall e-mail (idempotent: ``RecallNotice.sent_at`` is claimed first)."""
    notice = RecallNotice.objects.filter(recall_id=payload["recall_id"], email=payload["email"]).first()
    if notice is None:
        notice = RecallNotice.objects.create(recall_id=payload["recall_id"], email=payload["email"])
    recall_notice_send(
        notice_id=notice.pk,
        orders=payload["orders"],
        member=payload.get("member", False),
        unbilled=payload.get("unbilled", []),
        cancelled=payload.get("cancelled", []),
    )


@outbox_handler("traceability.gate_hold")
def gate_hold(payload: dict) -> None:
    """A batch went on hold by a food-safety gate: tell its cooperative, or the food-safety staff."""
    gate_hold_send(batch_id=payload["batch_id"], reason=payload["reason"], audience=payload["audience"])


@outbox_handler("traceability.chain_alert")
def chain_alert(payload: dict) -> None:
    """The nightly check found trace records changed behind the shop's back: tell the staff."""
    chain_alert_send(
        day=payload["day"], broken=payload["broken"], count=payload["count"], roots=payload.get("roots", [])
    )
