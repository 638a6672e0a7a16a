"""Outbox handlers of traceability (contract: core.outbox)."""

from core.outbox import outbox_handler
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
