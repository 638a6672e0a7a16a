"""Celery tasks of the channels room (found by autodiscovery), by part."""

from channels.account_tasks import (  # noqa: F401
    overdue_reminders_task,
    statement_generate_task,
    statements_monthly_task,
)
