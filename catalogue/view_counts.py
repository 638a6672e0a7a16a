"""Product page views counted in memory and written in batches.

Oscar's analytics add one to ``ProductRecord.num_views`` on every product page view, and for a
signed-in buyer one to ``UserRecord.num_product_views`` and a ``UserProductView`` row: an UPDATE (and
a row lock on a popular product's row) or three writes on the storefront's hottest read, even when
the page itself comes from the shared page cache. Here every view is counted in this process and
the counts (and the buyers' views) are written every ``VIEW_COUNT_FLUSH_SECONDS`` (10; 0 writes each
view at once, as Oscar does and the tests do) by the request that finds the interval over, and when
the process exits.

What this costs: the counts in the dashboard are up to one interval behind, a buyer's
``UserProductView`` is dated when written (up to one interval after the view), and a process killed
outright (not stopped) loses at most one interval of views.
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
_pending_buyers: list[tuple[int, int]] = []  # (user id, product id) per signed-in view
_last_flush = time.monotonic()


def receive_product_view(sender, product, user, **kwargs):
    """Replaces ``oscar.apps.analytics.receivers.receive_product_view`` (catalogue.apps)."""
    from oscar.apps.analytics.receivers import receive_product_view as oscar_receive_product_view

    if kwargs.get("raw", False):
        return
    interval = settings.VIEW_COUNT_FLUSH_SECONDS
    if not interval:
        oscar_receive_product_view(sender, product=product, user=user, **kwargs)
        return
    global _last_flush
    with _lock:
        _pending[product.pk] += 1
        if user is not None and user.is_authenticated:
            _pending_buyers.append((user.pk, product.pk))
        due = time.monotonic() - _last_flush >= interval
    if due:
        flush()


def flush() -> int:
    """Write the views counted so far; returns how many products' views there were."""
    global _last_flush
    with _lock:
        counts, buyers = dict(_pending), list(_pending_buyers)
        _pending.clear()
        _pending_buyers.clear()
        _last_flush = time.monotonic()
    if not counts:
        return 0
    try:
        write_views(counts, buyers)
    except DatabaseError:
        logger.exception("product view counts not written; kept for the next try")
        with _lock:
            _pending.update(counts)
            _pending_buyers.extend(buyers)
        return 0
    return len(counts)


def write_views(counts: dict[int, int], buyers: list[tuple[int, int]] = ()) -> None:
    """Add ``counts`` (product id → views) to Oscar's product records, and ``buyers``' views (user
    id, product id) to their records and history: three queries for any number of products, three
    more when there are buyers' views; products and users deleted meanwhile are left out."""
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
        buyers = [(user_id, product_id) for user_id, product_id in buyers if product_id in existing]
        if buyers:
            _write_buyers_views(buyers)


def _write_buyers_views(buyers: list[tuple[int, int]]) -> None:
    from django.contrib.auth import get_user_model

    UserRecord = get_model("analytics", "UserRecord")
    UserProductView = get_model("analytics", "UserProductView")
    users = set(get_user_model().objects.filter(pk__in={u for u, _p in buyers}).values_list("pk", flat=True))
    buyers = [(u, p) for u, p in buyers if u in users]
    if not buyers:
        return
    views = Counter(u for u, _p in buyers)
    UserRecord.objects.bulk_create(
        [UserRecord(user_id=pk, num_product_views=0) for pk in sorted(views)], ignore_conflicts=True
    )
    UserRecord.objects.filter(user_id__in=views).update(
        num_product_views=F("num_product_views")
        + Case(*(When(user_id=pk, then=Value(n)) for pk, n in views.items()), default=Value(0))
    )
    UserProductView.objects.bulk_create([UserProductView(user_id=u, product_id=p) for u, p in buyers])


def discard() -> None:
    """Forget the views counted so far (tests)."""
    with _lock:
        _pending.clear()
        _pending_buyers.clear()


@atexit.register
def _flush_at_exit():
    try:
        flush()
    except Exception:  # noqa: BLE001 - the process is on its way out; say so and go
        logger.exception("product view counts lost at exit")
