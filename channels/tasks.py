"""Celery tasks: thin, take ids, call a service; safe to run twice (the services check state first)."""

from celery import shared_task

from channels.services import members
from core.retry import MAIL_RETRY


@shared_task(**MAIL_RETRY)
def invitation_send_task(invitation_id: int) -> bool:
    return members.invitation_send(invitation_id=invitation_id)
