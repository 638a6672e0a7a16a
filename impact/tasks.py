"""Celery tasks of the impact roll-ups (schedule: shop/schedule.py)."""

import logging

from celery import shared_task

from . import rollup

logger = logging.getLogger(__name__)


@shared_task(name="impact.tasks.dirty_days_refresh_task", ignore_result=True)
def dirty_days_refresh_task() -> int:
    """Re-aggregate days marked dirty by order changes (queued after each commit, and every minute)."""
    refreshed = 0
    while True:
        done = rollup.dirty_days_refresh()
        refreshed += done
        if done == 0:
            return refreshed


@shared_task(name="impact.tasks.rollups_rebuild_task", ignore_result=True, time_limit=1800)
def rollups_rebuild_task() -> float:
    """Nightly: every roll-up recomputed from the orders (repairs anything a missed mark left)."""
    seconds = rollup.rollups_rebuild()
    logger.info("impact: roll-ups rebuilt in %.1f s", seconds)
    return seconds


@shared_task(name="impact.tasks.year_report_build_task", ignore_result=True, time_limit=600)
def year_report_build_task(report_id: int) -> None:
    """Build a yearly report's PDF (progress saved in the row), then e-mail the requester (outbox)."""
    from .reports import report_build

    report_build(report_id)
