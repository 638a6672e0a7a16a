"""Celery tasks of traceability: thin, take ids, call a service; safe to run twice."""

from celery import shared_task

from core.retry import MAIL_RETRY
from traceability import recall


@shared_task(**MAIL_RETRY)
def recall_notices_send_task(recall_id: int) -> int:
    """E-mail every buyer of a recall's batches once (``RecallNotice`` rows remember who got it)."""
    return recall.recall_notices_send(recall_id=recall_id)
