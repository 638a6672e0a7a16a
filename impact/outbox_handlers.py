"""Outbox handlers of the impact room (contract: core.outbox)."""

from core.outbox import outbox_handler

from .reports import report_ready_send


@outbox_handler("impact.report_ready")
def report_ready(payload: dict) -> None:
    report_ready_send(report_id=payload["report_id"])
