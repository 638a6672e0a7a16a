"""Celery tasks of the order room: thin, take ids, call a service."""

import smtplib

from celery import shared_task

from .services import order_confirmation_send


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),  # mail server down or unreachable
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    max_retries=8,
)
def order_confirmation_send_task(order_id: int) -> None:
    """Send an order's confirmation e-mail (idempotent: a retry never sends it twice)."""
    order_confirmation_send(order_id=order_id)
