"""Celery tasks: thin, take ids, call a service; safe to run twice (the services check state first)."""

from celery import shared_task

from core.retry import MAIL_RETRY
from suppliers import selectors, services


@shared_task(**MAIL_RETRY)
def portal_invitation_send_task(invitation_id: int) -> bool:
    return services.portal_invitation_send(invitation_id=invitation_id)


@shared_task(**MAIL_RETRY)
def certification_reminder_send_task(certification_id: int, threshold_days: int) -> bool:
    return services.certification_reminder_send(
        certification_id=certification_id, threshold_days=threshold_days
    )


@shared_task
def certification_expiry_reminders_send_task() -> int:
    """Daily: queue a reminder for every certificate reaching 30 or 7 days before expiry (once each)."""
    due = selectors.certification_reminders_due()
    for certification, threshold in due:
        certification_reminder_send_task.delay(certification.pk, threshold)
    return len(due)
