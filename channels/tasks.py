"""Celery tasks of the channels room: thin, take ids, call a service; safe to run twice."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from channels import documents
from channels.services import standing


@shared_task(soft_time_limit=50 * 60, time_limit=55 * 60)
def standing_orders_place_task() -> dict:
    """Turn the standing deliveries due within the lead days into orders (once per schedule and day)."""
    return standing.standing_orders_place()


@shared_task(soft_time_limit=240, time_limit=270, acks_late=True)
def document_generate_task(document_id: int) -> None:
    """Make one delivery note, receiving packet or purchase ledger (a ``GeneratedDocument``)."""
    try:
        documents.document_generate(document_id=document_id)
    except SoftTimeLimitExceeded:
        documents.document_fail(document_id=document_id, timed_out=True)


@shared_task
def documents_sweep_task() -> dict:
    """Fail documents whose worker died, queue again the ones the broker lost."""
    return documents.documents_sweep()
