"""Celery tasks: thin, take ids, call a service; safe to run twice (the services check state first)."""

from celery import shared_task

from suppliers import services


@shared_task
def certification_expiry_reminders_send_task() -> int:
    """Daily: record a reminder for every certificate reaching 30 or 7 days before expiry (once each).

    The reminders go through the outbox (core.outbox): delivered after the commit, retried there.
    """
    return services.certification_reminders_record()
