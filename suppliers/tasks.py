"""Celery tasks: thin, take ids, call a service; safe to run twice (the services check state first)."""

import smtplib

from celery import shared_task

from suppliers import selectors, services

# Transient failures of the mail server are retried with backoff; anything else is a bug and surfaces.
_RETRY = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "max_retries": 8,
}


@shared_task(**_RETRY)
def portal_invitation_send_task(invitation_id: int) -> bool:
    return services.portal_invitation_send(invitation_id=invitation_id)


@shared_task(**_RETRY)
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
