"""Celery tasks of the channels room: thin, take ids, call a service; safe to run twice."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from channels import documents
from channels.services import quotes, standing


# --- Quotes (issue 13, part 3) ---
@shared_task
def quotes_expire_task() -> int:
    """Daily (shop/schedule.py): priced quotes past their validity date become "expired"."""
    return quotes.quotes_expire()


@shared_task
def quote_pdf_task(quote_id: int) -> bool:
    """After pricing: build the quote's PDF and store it with the quote (once)."""
    return quotes.quote_pdf_make(quote_id)


# --- Standing deliveries and delivery documents (issue 13, parts 6 and 7) ---


@shared_task
def standing_orders_place_task() -> dict:
    """The hourly job: queue the schedules with a day due, in chunks (``standing_orders_chunk_task``)."""
    return standing.standing_orders_fan_out()


@shared_task(soft_time_limit=25 * 60, time_limit=30 * 60)
def standing_orders_chunk_task(schedule_ids: list[int], today: str) -> dict:
    """Turn these schedules' due days into orders (once per schedule and day)."""
    import datetime

    return standing.standing_orders_place(today=datetime.date.fromisoformat(today), schedule_ids=schedule_ids)


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


# --- Payment terms on account (issue 13, part 5): in their own module, found through here ---
from channels.account_tasks import (  # noqa: E402, F401
    overdue_reminders_task,
    statement_generate_task,
    statements_monthly_task,
)
