"""Celery tasks of the channels room: thin, take ids, call a service; safe to run twice."""

from celery import shared_task

from channels.services import quotes


# --- Quotes (issue 13, part 3) ---
@shared_task
def quotes_expire_task() -> int:
    """Daily (shop/schedule.py): priced quotes past their validity date become "expired"."""
    return quotes.quotes_expire()


@shared_task
def quote_pdf_task(quote_id: int) -> bool:
    """After pricing: build the quote's PDF and store it with the quote (once)."""
    return quotes.quote_pdf_make(quote_id)


# --- Payment terms on account (issue 13, part 5): in their own module, found through here ---
from channels.account_tasks import (  # noqa: E402, F401
    overdue_reminders_task,
    statement_generate_task,
    statements_monthly_task,
)
