"""Celery tasks of traceability: thin, take ids, call a service; safe to run twice."""

import smtplib

from celery import shared_task

from traceability import recall

# Transient failures of the mail server are retried with backoff; buyers already e-mailed are skipped.
_RETRY = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "max_retries": 8,
}


@shared_task(**_RETRY)
def recall_notices_send_task(recall_id: int) -> int:
    """E-mail every buyer of a recall's batches once (``RecallNotice`` rows remember who got it)."""
    return recall.recall_notices_send(recall_id=recall_id)
