"""Celery tasks of phone accounts (the schedule is in shop/schedule.py)."""

from celery import shared_task

from .services import codes_purge


@shared_task
def phone_codes_purge_task() -> int:
    """Forget week-old codes and the networks that asked for them."""
    return codes_purge()
