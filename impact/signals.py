"""Order changes that can move a figure mark the order's sale days dirty, in the same transaction.

Receivers only (no edits to the order, payment or channels rooms): a payment event (paid, refunded),
an order saved (status changes, cancellation by any path), a delivery saved (on-account sales count
when delivered). After the commit a refresh is queued; the minute sweep catches up if Redis is down.
"""

import logging
import zoneinfo

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from oscar.core.loading import get_model

from shop.order.signals import order_cancelled, order_lines_cancelled

from .rollup import REPORT_TZ, days_mark, order_days_mark

REPORT_ZONE = zoneinfo.ZoneInfo(REPORT_TZ)

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")


def _refresh_soon() -> None:
    from core.queue import queue_now

    from .tasks import dirty_days_refresh_task

    try:
        queue_now(dirty_days_refresh_task)
    except Exception:  # the minute sweep will do it
        logger.warning("impact: could not queue the roll-up refresh; the sweep will", exc_info=True)


def order_changed(order_id: int) -> None:
    """Mark the order's sale days and refresh them after the commit (the service hook)."""
    order_days_mark(order_id)
    transaction.on_commit(_refresh_soon)


@receiver(post_save, sender=PaymentEvent, dispatch_uid="impact_payment_event")
def _payment_event_saved(sender, instance, **kwargs):
    order_changed(instance.order_id)


@receiver(post_save, sender=Order, dispatch_uid="impact_order_saved")
def _order_saved(sender, instance, created, **kwargs):
    if not created:
        order_changed(instance.pk)


@receiver(order_cancelled, dispatch_uid="impact_order_cancelled")
@receiver(order_lines_cancelled, dispatch_uid="impact_order_lines_cancelled")
def _order_cancelled(sender, order, **kwargs):
    order_changed(order.pk)


def _delivery_saved(sender, instance, **kwargs):
    from channels.models import OrganisationOrder

    order_id = (
        OrganisationOrder.objects.filter(pk=instance.organisation_order_id)
        .values_list("order_id", flat=True)
        .first()
    )
    if order_id:
        order_changed(order_id)


def _delivery_saving(sender, instance, **kwargs):
    """A delivery delivered again on another day moves its sale: the old day is marked too."""
    if instance.pk is None:
        return
    old = type(instance).objects.filter(pk=instance.pk).values_list("delivered_at", flat=True).first()
    if old is not None and old != instance.delivered_at:
        days_mark([timezone.localtime(old, REPORT_ZONE).date()])


pre_save.connect(_delivery_saving, sender="channels.Delivery", dispatch_uid="impact_delivery_saving")
post_save.connect(_delivery_saved, sender="channels.Delivery", dispatch_uid="impact_delivery_saved")
