"""Product page views counted in memory and written in batches.

Oscar's analytics add one to ``ProductRecord.num_views`` on every product page view: an UPDATE, and
a row lock on a popular product's row, on the storefront's hottest read (even when the page itself
comes from the shared page cache). Here an anonymous view is counted in this process and the counts
are written every ``VIEW_COUNT_FLUSH_SECONDS`` (10; 0 writes each view at once, as the tests do) by
the request that finds the interval over, and when the process exits. A signed-in buyer's view is
written at once, as Oscar does, with their own history (``UserRecord``, ``UserProductView``).

What this costs: the counts in the dashboard are up to one interval behind, and a process killed
outright (not stopped) loses at most one interval of its anonymous views.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Case, F, Value, When
from oscar.core.loading import get_model

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_pending: Counter[int] = Counter()
_last_flush = time.monotonic()


def receive_product_view(sender, product, user, **kwargs):
    """Replaces ``oscar.apps.analytics.receivers.receive_product_view`` (catalogue.apps)."""
    from oscar.apps.analytics.receivers import receive_product_view as oscar_receive_product_view

    if kwargs.get("raw", False):
        return
    interval = settings.VIEW_COUNT_FLUSH_SECONDS
    if not interval or (user is not None and user.is_authenticated):
        oscar_receive_product_view(sender, product=product, user=user, **kwargs)
        return
    global _last_flush
    with _lock:
        _pending[product.pk] += 1
        due = time.monotonic() - _last_flush >= interval
    if due:
        flush()


def flush() -> int:
    """Write the views counted so far; returns how many products' counts were written."""
    global _last_flush
    with _lock:
        counts = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    if not counts:
        return 0
    try:
        write_views(counts)
    except DatabaseError:
        logger.exception("product view counts not written; kept for the next try")
        with _lock:
            _pending.update(counts)
        return 0
    return len(counts)


def write_views(counts: dict[int, int]) -> None:
    """Add ``counts`` (product id → views) to Oscar's product records: three queries for any number
    of products; products deleted meanwhile are left out."""
    Product = get_model("catalogue", "Product")
    ProductRecord = get_model("analytics", "ProductRecord")
    existing = set(Product.objects.filter(pk__in=counts).values_list("pk", flat=True))
    if not existing:
        return
    with transaction.atomic():
        ProductRecord.objects.bulk_create(
            [ProductRecord(product_id=pk, num_views=0) for pk in sorted(existing)], ignore_conflicts=True
        )
        ProductRecord.objects.filter(product_id__in=existing).update(
            num_views=F("num_views")
            + Case(*(When(product_id=pk, then=Value(counts[pk])) for pk in existing), default=Value(0))
        )


def discard() -> None:
    """Forget the views counted so far (tests)."""
    with _lock:
        _pending.clear()


@atexit.register
def _flush_at_exit():
    try:
        flush()
    except Exception:  # noqa: BLE001 - the process is on its way out; say so and go
        logger.exception("product view counts lost at exit")
