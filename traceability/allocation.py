"""Allocation of order lines to batches, earliest best-before first (issue 4, part 7).

Connected in ``TraceabilityConfig.ready`` to the order room's signals, so the order room imports
nothing from here:

* ``order_stock_allocated`` (inside the placing transaction, after Oscar locked and allocated the
  order's stock records): every line of a product sold through batches is split over the published
  batches of the line's seller with something left and not past best-before (never an expired batch),
  earliest best-before first, spanning batches.
  Each batch's ``quantity_remaining`` goes down (a CHECK constraint keeps it at zero or more); a batch
  reaching zero becomes "sold out". If the batches cannot cover a line, ``InsufficientStock`` refuses
  the order with the buyer's message and everything rolls back.
* ``order_lines_cancelled`` (lines taken off an unpaid order's bill, e.g. after a recall): what
  ``order_cancelled`` does below, for those lines only.
* ``order_cancelled`` (inside ``order_cancel``, after the stock records got their units back): the
  allocations are given back to their batches and deleted; a sold-out batch goes back on sale. Units
  returned to a batch that is not on sale (on hold, recalled) stay off sale: they are taken out of the
  stock record's ``num_in_stock`` as well.

Both keep the stock invariant of ``traceability.services``. Lock order is the shop's: stock records
(already locked by the order room), then batches in primary-key order.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from oscar.core.loading import get_model

from traceability.models import Batch, BatchAllocation

logger = logging.getLogger(__name__)

StockRecord = get_model("partner", "StockRecord")
Status = Batch.Status


def _through_batches(keys: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Those (product id, partner id) of ``keys`` sold through batches: a product is, at a seller,
    once any of its batches there left draft. One query for all of them."""
    if not keys:
        return set()
    found = (
        Batch.objects.filter(
            product_id__in={product_id for product_id, _partner in keys},
            base__supplier__partner_id__in={partner_id for _product, partner_id in keys},
        )
        .exclude(status=Status.DRAFT)
        .values_list("product_id", "base__supplier__partner_id")
        .distinct()
    )
    return set(found) & keys


def _lock_saleable(keys: set[tuple[int, int]]) -> dict[tuple[int, int], list[Batch]]:
    """Lock, in one query and primary-key order, the published batches with units left of every
    (product id, partner id) of ``keys``; each key's batches in best-before order."""
    pools: dict[tuple[int, int], list[Batch]] = {key: [] for key in keys}
    if not keys:
        return pools
    locked = (
        Batch.objects.filter(
            product_id__in={product_id for product_id, _partner in keys},
            base__supplier__partner_id__in={partner_id for _product, partner_id in keys},
            # Never an expired batch, even before the daily job has put it on hold (issue 11).
            status=Status.PUBLISHED,
            quantity_remaining__gt=0,
            best_before__gte=timezone.localdate(),
        )
        .annotate(seller_partner_id=F("base__supplier__partner_id"))
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    for batch in locked:
        key = (batch.product_id, batch.seller_partner_id)
        if key in pools:
            pools[key].append(batch)
    for pool in pools.values():
        pool.sort(key=lambda batch: (batch.best_before, batch.pk))
    return pools


def _forget_pages(batch_ids) -> None:
    """Trace pages show the status; drop their caches once the change is committed."""
    if not batch_ids:
        return
    from traceability.selectors import trace_page_forget

    transaction.on_commit(
        lambda: trace_page_forget(*Batch.objects.filter(pk__in=batch_ids).only("pk", "trace_code"))
    )


def order_allocate(*, order) -> list[BatchAllocation]:
    """Allocate the order's lines to batches (see the module docstring); returns the allocations.

    Raises ``InsufficientStock`` when the published batches cannot cover a line.
    """
    from shop.order.exceptions import InsufficientStock

    lines = [
        line
        for line in order.lines.select_related("stockrecord").order_by("stockrecord_id", "pk")
        if line.stockrecord_id and line.product_id
    ]
    keys = {(line.product_id, line.stockrecord.partner_id) for line in lines}
    pools: dict[tuple[int, int], list[Batch]] = _lock_saleable(_through_batches(keys))
    taken: dict[int, int] = defaultdict(int)
    by_pk: dict[int, Batch] = {}
    allocations = []
    for line in lines:
        key = (line.product_id, line.stockrecord.partner_id)
        pool = pools.get(key)
        if pool is None:
            continue  # not sold through batches: the stock record alone counts it
        needed = line.quantity
        available = sum(batch.quantity_remaining for batch in pool)
        if available < needed:
            logger.info(
                "order %s: line %s wants %s of product %s, its batches hold %s",
                order.number,
                line.pk,
                needed,
                line.product_id,
                available,
            )
            raise InsufficientStock(product_title=line.title, requested=needed, available=available)
        for batch in pool:
            if needed == 0:
                break
            take = min(needed, batch.quantity_remaining)
            if take == 0:
                continue
            batch.quantity_remaining -= take
            taken[batch.pk] += take
            by_pk[batch.pk] = batch
            needed -= take
            allocations.append(BatchAllocation(line=line, batch=batch, quantity=take))

    now = timezone.now()
    sold_out = sorted(pk for pk in taken if by_pk[pk].quantity_remaining == 0)
    if taken:
        # One UPDATE for every batch drawn from (the rows are locked above, in primary-key order).
        Batch.objects.filter(pk__in=list(taken)).update(
            quantity_remaining=F("quantity_remaining")
            - Case(*[When(pk=pk, then=Value(units)) for pk, units in taken.items()], default=Value(0))
        )
    if sold_out:
        Batch.objects.filter(pk__in=sold_out).update(status=Status.SOLD_OUT, status_changed_at=now)
        for pk in sold_out:
            by_pk[pk].status = Status.SOLD_OUT
    BatchAllocation.objects.bulk_create(allocations)
    _forget_pages(sold_out)
    return allocations


def order_release(*, order, lines=None) -> int:
    """Give a cancelled order's batch allocations (or only ``lines``') back to their batches; returns
    the units returned."""
    allocations = BatchAllocation.objects.filter(line__order=order)
    if lines is not None:
        allocations = allocations.filter(line__in=[line.pk for line in lines])
    allocations = list(allocations.select_related("line").order_by("batch_id", "pk"))
    if not allocations:
        return 0
    back: dict[int, int] = defaultdict(int)
    off_sale_by_record: dict[int, int] = defaultdict(int)
    batch_ids = sorted({allocation.batch_id for allocation in allocations})
    # The order room already holds the stock record rows; batches next, in primary-key order.
    batches = {
        batch.pk: batch
        for batch in Batch.objects.filter(pk__in=batch_ids).select_for_update(of=("self",)).order_by("pk")
    }
    for allocation in allocations:
        back[allocation.batch_id] += allocation.quantity
        if batches[allocation.batch_id].status not in (Status.PUBLISHED, Status.SOLD_OUT):
            if allocation.line.stockrecord_id:
                off_sale_by_record[allocation.line.stockrecord_id] += allocation.quantity

    now = timezone.now()
    reopened = []
    for pk in batch_ids:
        batch = batches[pk]
        updates = {"quantity_remaining": F("quantity_remaining") + back[pk]}
        if batch.status == Status.SOLD_OUT:
            updates.update(status=Status.PUBLISHED, status_changed_at=now)
            reopened.append(pk)
        Batch.objects.filter(pk=pk).update(**updates)
    for record_pk, units in sorted(off_sale_by_record.items()):
        # Units of a batch on hold or recalled came back to the stock record with the cancellation;
        # they must not become sellable: take them off (never below what is still allocated).
        record = StockRecord.objects.select_for_update().get(pk=record_pk)
        target = max((record.num_in_stock or 0) - units, record.num_allocated or 0)
        if target != record.num_in_stock:
            record.num_in_stock = target
            record.save(update_fields=["num_in_stock", "date_updated"])
    BatchAllocation.objects.filter(pk__in=[allocation.pk for allocation in allocations]).delete()
    _forget_pages(reopened)
    return sum(back.values())


# --- Receivers ---------------------------------------------------------------------------------------
def on_order_stock_allocated(sender, order, **kwargs):
    order_allocate(order=order)


def on_order_cancelled(sender, order, **kwargs):
    order_release(order=order)


def on_order_lines_cancelled(sender, order, lines, **kwargs):
    order_release(order=order, lines=lines)
