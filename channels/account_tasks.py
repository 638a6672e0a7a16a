"""Celery tasks of payment terms on account (periodic ones are declared in shop/schedule.py)."""

from celery import shared_task

from channels import statements
from channels.services import accounts


@shared_task
def statement_generate_task(statement_id: int) -> bool:
    """Draw a statement of account's PDF and XLSX."""
    return statements.statement_generate(statement_id)


@shared_task
def statements_monthly_task() -> int:
    """On the 1st: last month's statements of every organisation on account."""
    return statements.statements_monthly()


@shared_task
def overdue_reminders_task() -> int:
    """Daily: reminders of invoices 1, 7 and 30 days overdue, once per step, through the outbox."""
    return accounts.overdue_reminders_record()
