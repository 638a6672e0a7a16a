"""Celery tasks of the basket (periodic ones are declared in shop/schedule.py)."""

from celery import shared_task

from .services import frozen_baskets_thaw


@shared_task
def frozen_baskets_thaw_task(limit: int = 500) -> int:
    """Open baskets left frozen by a placement that died (no order), so their owners can buy."""
    return frozen_baskets_thaw(limit=limit)
