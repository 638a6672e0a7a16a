"""Celery tasks of the checkout (periodic ones are declared in shop/schedule.py)."""

from celery import shared_task

from .holds import order_holds_expire


@shared_task
def order_holds_expire_task(limit: int = 200) -> int:
    """Cancel bank-transfer and pay-on-delivery orders past their hold; stock back, buyer told."""
    return order_holds_expire(limit=limit)
