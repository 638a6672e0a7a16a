from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceabilityConfig(AppConfig):
    """Batches, trace events, inspections, certificates, trace codes, allocation and recall."""

    name = "traceability"
    verbose_name = _("Traceability")

    def ready(self):
        from django.db.models.signals import post_save

        from traceability.models import Batch

        # Any saved batch (a recall, an admin edit) drops its cached trace page at once, not only
        # the writes of traceability.services; QuerySet.update() is covered by the cache's 5 s life.
        post_save.connect(_forget_trace_page, sender=Batch, dispatch_uid="traceability-forget-page")

        from shop.partner.stock_owners import register_stock_owner

        # Stock of a product sold through batches is the sum of its published batches: no one types it.
        register_stock_owner("traceability-batches", _products_sold_through_batches)

        from shop.order.signals import order_cancelled, order_lines_cancelled, order_stock_allocated
        from traceability import allocation

        # Order lines are allocated to batches inside the placing transaction; cancelling gives them back.
        order_stock_allocated.connect(
            allocation.on_order_stock_allocated, dispatch_uid="traceability-allocate-batches"
        )
        order_cancelled.connect(allocation.on_order_cancelled, dispatch_uid="traceability-release-batches")
        order_lines_cancelled.connect(
            allocation.on_order_lines_cancelled, dispatch_uid="traceability-release-line-batches"
        )


def _products_sold_through_batches(product_ids) -> set[int]:
    from traceability.models import Batch

    return set(
        Batch.objects.filter(product_id__in=product_ids)
        .exclude(status=Batch.Status.DRAFT)
        .values_list("product_id", flat=True)
        .distinct()
    )


def _forget_trace_page(sender, instance, **kwargs):
    from django.db import transaction

    from traceability.selectors import trace_page_forget

    trace_page_forget(instance)
    transaction.on_commit(lambda: trace_page_forget(instance))
