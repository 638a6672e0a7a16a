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


@outbox_handler("channels.overdue_reminder")
def overdue_reminder(payload: dict) -> None:
    """An overdue invoice's reminder to the organisation (issue 13, part 5); nothing once it is paid."""
    from channels.services.account_mail import overdue_reminder_send

    overdue_reminder_send(invoice_id=payload["invoice_id"], step=payload["step"])


@outbox_handler("channels.standing_problem")
def standing_problem(payload: dict) -> None:
    """A standing delivery day refused or short of stock: the organisation is told (once per run and
    status; a run placed meanwhile is not reported)."""
    from channels.services.standing import standing_problem_send

    standing_problem_send(run_id=payload["run_id"])
