"""A Redis cache that degrades to "nothing cached" while Redis is away, never to an error.

Everything the shop keeps in the cache (shared storefront pages, facet counts, CMS blocks, rate
hints) can be computed again from the database. So when Redis stops answering, a cache call here
answers as a miss would (``get`` returns the default, ``add`` and ``delete`` return False, ``incr``
raises the ValueError of a missing key, writes are dropped) instead of raising, and pages are
rendered afresh: slower, never broken.

What an outage costs a request: connecting is given ``socket_connect_timeout`` (0.25 s) and a
reply ``socket_timeout`` (0.5 s). After the first failure Redis is skipped altogether for
``RETRY_AFTER_SECONDS`` (5 s, the ``OPTIONS`` key ``resilient_retry_after`` overrides it) in this
process, so during an outage at most one request every 5 s pays that wait; the next call after
the pause tries Redis again. The outage is logged once (WARNING) when it starts and once (INFO)
when Redis answers again, not on every call.

Sessions do not live here (``SESSION_ENGINE`` is the database backend), so an outage signs nobody
out and empties no basket.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
DEFAULT_SOCKET_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}

# Per process and server list, not per cache object: Django makes one cache object per thread.
_down_until: dict[str, float] = {}
_state_lock = threading.Lock()


def _connection_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache with short timeouts, and a miss instead of an error while Redis is down."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("resilient_retry_after", RETRY_AFTER_SECONDS))
        for name, value in DEFAULT_SOCKET_OPTIONS.items():
            options.setdefault(name, value)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._outage_key = ",".join(self._servers)
        self._errors = _connection_errors()

    # --- outage bookkeeping ------------------------------------------------------------------
    def is_skipping(self) -> bool:
        """True while Redis failed less than ``retry_after`` seconds ago (calls do not reach it)."""
        until = _down_until.get(self._outage_key)
        return until is not None and time.monotonic() < until

    def _guard(self, call, fallback):
        if self.is_skipping():
            return fallback
        try:
            result = call()
        except self._errors as exc:
            with _state_lock:
                first = self._outage_key not in _down_until
                _down_until[self._outage_key] = time.monotonic() + self.retry_after
            if first:
                logger.warning(
                    "cache: Redis at %s is not answering (%s: %s); serving without the cache, "
                    "trying again every %.0f s",
                    self._outage_key,
                    type(exc).__name__,
                    exc,
                    self.retry_after,
                )
            return fallback
        if self._outage_key in _down_until:
            with _state_lock:
                if _down_until.pop(self._outage_key, None) is not None:
                    logger.info("cache: Redis at %s answers again", self._outage_key)
        return result

    # --- the cache API: each call as RedisCache's, answering as a miss would while Redis is down
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False)

    def get(self, key, default=None, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guard(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def get_many(self, keys, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._guard(lambda: super(ResilientRedisCache, self).incr(key, delta, version), missing)
        if result is missing:  # as for a key that is not there: callers already handle that
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys, version=None):
        self._guard(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def clear(self):
        return self._guard(lambda: super(ResilientRedisCache, self).clear(), False)
