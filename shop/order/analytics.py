"""Oscar's purchase analytics of a placed order, in a few queries however many lines it has.

Oscar's ``oscar.apps.analytics.receivers.receive_order_placed`` counts each line's units in the
product's ``ProductRecord`` with an UPDATE, and an INSERT when the record does not exist yet: one
or two queries per line. ``on_order_placed`` (connected in its place by ``OrderConfig.ready``) does
the same in the placing transaction: the products' records locked in product order (one query),
all of them counted in one UPDATE, the missing ones written in one INSERT; then the buyer's
``UserRecord`` as Oscar does it.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from oscar.apps.analytics import receivers as oscar_receivers
from oscar.apps.order.signals import order_placed
from oscar.core.loading import get_model

ProductRecord = get_model("analytics", "ProductRecord")


def order_purchases_record(order) -> None:
    """Count the units of each product of ``order`` in its ``ProductRecord`` (``num_purchases``)."""
    units: dict[int, int] = defaultdict(int)
    lines = order.lines.filter(product__isnull=False).values_list("product_id", "quantity")
    for product_id, quantity in lines:
        units[product_id] += quantity
    if not units:
        return
    existing = set(
        ProductRecord.objects.filter(product_id__in=list(units))
        .select_for_update()
        .order_by("product_id")
        .values_list("product_id", flat=True)
    )
    if existing:
        ProductRecord.objects.filter(product_id__in=existing).update(
            num_purchases=F("num_purchases")
            + Case(*[When(product_id=pk, then=Value(units[pk])) for pk in existing], default=Value(0))
        )
    missing = sorted(set(units) - existing)
    if not missing:
        return
    try:
        with transaction.atomic():
            ProductRecord.objects.bulk_create(
                [ProductRecord(product_id=pk, num_purchases=units[pk]) for pk in missing]
            )
    except IntegrityError:
        # Another order wrote some of these records meanwhile: count them one by one, as Oscar does.
        for pk in missing:
            oscar_receivers._update_counter(ProductRecord, "num_purchases", {"product_id": pk}, units[pk])


def on_order_placed(sender, order, user, **kwargs):
    if kwargs.get("raw", False):
        return
    order_purchases_record(order)
    if user and user.is_authenticated:
        oscar_receivers._record_user_order(user, order)


def connect() -> None:
    """Put ``on_order_placed`` in the place of Oscar's receiver (``OrderConfig.ready``)."""
    order_placed.disconnect(oscar_receivers.receive_order_placed)
    order_placed.connect(on_order_placed, dispatch_uid="shop.order.analytics")
