"""Celery tasks for card payments: thin, idempotent, and retried only on transient Stripe errors.

The periodic ones are declared in shop/schedule.py.
"""

import logging

from celery import shared_task

from . import capabilities, selectors, services
from .models import StripePayment
from .stripe_gateway import StripeError, StripeUnavailable, stripe_enabled

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (StripeUnavailable,),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "max_retries": 8,
}


@shared_task(**RETRY)
def stripe_event_process_task(event_id: str) -> None:
    services.stripe_event_process(event_id=event_id)


@shared_task(**RETRY)
def stripe_payment_cancel_task(payment_id: int) -> None:
    payment = StripePayment.objects.select_related("order").filter(pk=payment_id).first()
    if payment is not None:
        services.stripe_payment_cancel_at_stripe(payment=payment)


@shared_task
def stripe_events_sweep_task(batch_size: int = 100, seconds: float = 45.0) -> int:
    """Process stored events that no task took (Redis was down, a worker died), in batches until
    none is left or ``seconds`` have passed; returns how many were processed.

    Receipts are not its business: they are in the outbox (core.outbox) with the payment.
    """
    return services.stripe_events_sweep(batch_size=batch_size, seconds=seconds)["processed"]


@shared_task
def stripe_unpaid_orders_cancel_task(limit: int = 200) -> int:
    """Cancel card orders left unpaid past STRIPE_UNPAID_ORDER_MINUTES and give their stock back."""
    cancelled = 0
    for payment in selectors.payments_to_expire()[:limit]:
        try:
            cancelled += services.stripe_payment_expire(payment=payment)
        except StripeError:  # Stripe cannot say whether it was paid: never cancel blind; next run
            logger.warning("stripe expire: order %s left for the next run", payment.order.number)
    return cancelled


@shared_task
def stripe_payments_reconcile_task(limit: int = 200) -> int:
    """Ask Stripe about payments still awaiting, so a missed webhook ends in the right state."""
    changed = 0
    for payment in selectors.payments_cancelled_elsewhere()[:limit]:
        try:
            services.stripe_payment_cancel_at_stripe(payment=payment)
        except StripeError:
            logger.warning(
                "stripe reconcile: intent of cancelled order %s not cancelled yet", payment.order.number
            )
    for payment in selectors.payments_to_reconcile()[:limit]:
        try:
            changed += services.stripe_payment_reconcile(payment=payment) != "ignored"
        except StripeError:
            logger.warning("stripe reconcile: order %s left for the next run", payment.order.number)
    return changed


@shared_task(**RETRY)
def stripe_capabilities_refresh_task() -> dict:
    """Read which payment methods the Stripe account may take, so checkout offers only those."""
    if not stripe_enabled():
        return {}
    return capabilities.stripe_capabilities_refresh()
