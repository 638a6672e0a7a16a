"""What a stock record's save sets off, for one record or for many at once.

Oscar connects two receivers to every ``StockRecord`` save: the low-stock alerts
(``oscar.apps.partner.receivers.update_stock_alerts``) and, with ``OSCAR_EAGER_ALERTS``, the
"back in stock" e-mails of customers' product alerts
(``oscar.apps.customer.alerts.receivers.send_product_alerts``). Each reads the database for the one
record saved: two or three queries per record, so a 500-line order's allocation paid 1,500 queries
for alerts that almost never exist.

Here they are replaced (``PartnerConfig.ready``) by receivers that do the same work through
``stock_alerts_update`` and ``product_alerts_send``, which take any number of records in a couple
of queries. The order room allocates many records at once: it marks them ``_alerts_batched`` while
it sends their save signals (the other receivers, e.g. the CMS's cache, still hear each save) and
then calls ``stockrecords_saved`` once for all of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models.signals import post_save
from django.utils import timezone
from oscar.core.loading import get_model

StockAlert = get_model("partner", "StockAlert")
StockRecord = get_model("partner", "StockRecord")
ProductAlert = get_model("customer", "ProductAlert")


def stock_alerts_update(records: Iterable) -> None:
    """Oscar's low-stock alerts for ``records`` (saved, not created): an alert opened for each record
    below its threshold without an open one, the open alert closed for each record back above it.
    One query to read the open alerts, at most one to open and one to close."""
    records = [record for record in records if record.pk]
    if not records:
        return
    open_alerts = {
        alert.stockrecord_id: alert
        for alert in StockAlert.objects.filter(
            stockrecord_id__in=[record.pk for record in records], status=StockAlert.OPEN
        ).order_by("pk")
    }
    to_open, to_close = [], []
    for record in records:
        alert = open_alerts.get(record.pk)
        if record.is_below_threshold and alert is None:
            to_open.append(StockAlert(stockrecord=record, threshold=record.low_stock_threshold))
        elif not record.is_below_threshold and alert is not None:
            to_close.append(alert.pk)
    if to_open:
        StockAlert.objects.bulk_create(to_open)
    if to_close:
        closed = {"status": StockAlert.CLOSED, "date_closed": timezone.now()}
        StockAlert.objects.filter(pk__in=to_close).update(**closed)


def product_alerts_send(products: Iterable) -> None:
    """Oscar's eager "back in stock" alerts for ``products``: one query finds which of them (or of
    their parents) customers wait for; Oscar's dispatcher handles those, as for a single save."""
    if not getattr(settings, "OSCAR_EAGER_ALERTS", True):
        return
    products = {product.pk: product for product in products if product is not None}
    if not products:
        return
    ids = set(products) | {product.parent_id for product in products.values() if product.parent_id}
    waited_for = set(
        ProductAlert.objects.filter(product_id__in=ids, status=ProductAlert.ACTIVE).values_list(
            "product_id", flat=True
        )
    )
    if not waited_for:
        return
    from oscar.apps.customer.alerts.utils import AlertsDispatcher

    dispatcher = AlertsDispatcher()
    for pk, product in sorted(products.items()):
        if pk in waited_for or product.parent_id in waited_for:
            dispatcher.send_product_alert_email_for_user(product)


def stockrecords_saved(records: Iterable) -> None:
    """What the two receivers below do for each of ``records`` (saved, not created), all at once."""
    records = list(records)
    stock_alerts_update(records)
    product_alerts_send(record.product for record in records)


def on_stockrecord_saved(sender, instance, created, **kwargs):
    """Oscar's two receivers in one; skipped for a record whose saver calls ``stockrecords_saved``."""
    if kwargs.get("raw", False) or getattr(instance, "_alerts_batched", False):
        return
    if not created:
        stock_alerts_update([instance])
    product_alerts_send([instance.product])


def connect() -> None:
    """Put ``on_stockrecord_saved`` in the place of Oscar's two receivers (``PartnerConfig.ready``)."""
    from oscar.apps.customer.alerts import receivers as alert_receivers
    from oscar.apps.partner import receivers as partner_receivers

    post_save.disconnect(partner_receivers.update_stock_alerts, sender=StockRecord)
    post_save.disconnect(alert_receivers.send_product_alerts, sender=StockRecord)
    post_save.connect(on_stockrecord_saved, sender=StockRecord, dispatch_uid="shop.partner.stockrecord_saved")
