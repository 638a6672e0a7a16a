"""Outbox handlers of the suppliers room (contract: core.outbox)."""

from core.outbox import outbox_handler
from suppliers import services
from suppliers.models import Certification, PortalInvitation


@outbox_handler("suppliers.invitation")
def portal_invitation(payload: dict) -> None:
    """The portal invitation e-mail (idempotent: ``PortalInvitation.sent_at`` is claimed first)."""
    if PortalInvitation.objects.filter(pk=payload["invitation_id"]).exists():
        services.portal_invitation_send(invitation_id=payload["invitation_id"])


@outbox_handler("suppliers.certification_reminder")
def certification_reminder(payload: dict) -> None:
    """A certificate-expiry reminder, unless the certificate is gone or got a new expiry date since."""
    certification = Certification.objects.filter(pk=payload["certification_id"]).first()
    if certification is None or certification.valid_until.isoformat() != payload["valid_until"]:
        return
    services.certification_reminder_send(
        certification_id=certification.pk, threshold_days=payload["threshold_days"]
    )
