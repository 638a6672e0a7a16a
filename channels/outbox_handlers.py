"""Outbox handlers of the channels room (contract: core.outbox)."""

from channels.models import Invitation
from channels.services import members
from core.outbox import outbox_handler


@outbox_handler("channels.invitation")
def invitation(payload: dict) -> None:
    """An organisation's invitation e-mail (idempotent: ``Invitation.sent_at`` is claimed first;
    an invitation accepted or revoked meanwhile is not sent)."""
    if Invitation.objects.filter(pk=payload["invitation_id"]).exists():
        members.invitation_send(invitation_id=payload["invitation_id"])
