"""A request stopped by PostgreSQL's lock or statement timeout becomes "busy, try again" (503).

``DB_LOCK_TIMEOUT_MS`` and ``DB_STATEMENT_TIMEOUT_MS`` (shop/settings/base.py) make PostgreSQL end a
statement that waited too long for a row lock (SQLSTATE 55P03) or ran too long (57014) instead of
holding a web worker for as long as someone else holds the lock. The view's transaction has rolled
back by the time this middleware sees the error, so nothing was half done; the buyer is shown the
plain 503 page (core.errors.service_busy, no database needed) with ``Retry-After``, in their language.

The checkout gives the basket back before the error reaches here (shop.checkout.views), so trying
again works; a basket left frozen by a process killed mid-placement is thawed by
``shop.basket.tasks.frozen_baskets_thaw_task``.
"""

from __future__ import annotations

import logging

from django.db import OperationalError

from core.errors import service_busy

logger = logging.getLogger(__name__)

LOCK_NOT_AVAILABLE = "55P03"
QUERY_CANCELED = "57014"
BUSY_SQLSTATES = frozenset({LOCK_NOT_AVAILABLE, QUERY_CANCELED})
RETRY_AFTER_SECONDS = 5


def is_database_busy(exc: BaseException) -> bool:
    """True for an error raised by a lock or statement timeout (PostgreSQL), whatever wraps it."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OperationalError) or exc.__class__.__module__.startswith("psycopg"):
            code = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
            if code in BUSY_SQLSTATES:
                return True
        exc = exc.__cause__ or exc.__context__
    return False


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        logger.warning(
            "database busy: %s %s stopped by a lock or statement timeout (%s)",
            request.method,
            request.path,
            str(exception).strip().splitlines()[0] if str(exception).strip() else type(exception).__name__,
        )
        return service_busy(request, retry_after=RETRY_AFTER_SECONDS)
