"""Caching of rendered shop-data blocks, with a stated lifetime and a version bump on shop changes.

A block's HTML is kept for ``CMS_SHOP_DATA_CACHE_SECONDS`` (60 s by default). That lifetime is the
promise: a price or stock change in the shop shows on every CMS page within it, however the change
was made. Changes saved through the ORM (the dashboard, services calling ``save()``) do better: their
``post_save``/``post_delete`` bump a version number after the transaction commits, and every cached
block is keyed by that version, so the next request renders afresh. Conditional ``UPDATE`` statements
(stock allocation) send no signal and rely on the lifetime.

Keys also carry the language and who is looking: anonymous visitors share one copy; a signed-in
user gets their own, because a strategy may price differently per user (e.g. a channel price list).
"""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import translation

VERSION_KEY = "cms:shop-data-version"
DEFAULT_LIFETIME = 60


def lifetime() -> int:
    """Seconds a rendered shop-data block may be served before it is rendered again."""
    return int(getattr(settings, "CMS_SHOP_DATA_CACHE_SECONDS", DEFAULT_LIFETIME))


def shop_data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY) or 1
    return version


def invalidate() -> None:
    """Drop every cached shop-data block now (the next request renders each afresh)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # the key expired or was evicted: any new value invalidates old keys
        cache.set(VERSION_KEY, 2, timeout=None)


def shop_data_changed(**kwargs) -> None:
    """Signal receiver: invalidate every cached shop-data block once the change is committed."""
    if kwargs.get("raw"):  # loaddata
        return
    transaction.on_commit(invalidate)


def viewer_key(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return "anon"


def block_cache_key(block, value, request) -> str:
    payload = json.dumps(block.get_prep_value(value), sort_keys=True, cls=DjangoJSONEncoder)
    digest = hashlib.sha1(  # noqa: S324 - a cache key, not a security measure
        f"{type(block).__module__}.{type(block).__qualname__}:{payload}".encode()
    ).hexdigest()
    language = translation.get_language() or settings.LANGUAGE_CODE
    return f"cms:block:{shop_data_version()}:{language}:{viewer_key(request)}:{digest}"


def is_preview(context) -> bool:
    """True in a page preview and in the block picker's preview (editors, never visitors)."""
    if not context:
        return False
    request = context.get("request")
    return bool(getattr(request, "is_preview", False)) or "block_def" in context


def cached_render(block, value, context, render):
    """``render()`` through the cache, except in previews, where editors must see the live draft."""
    request = context.get("request") if context else None
    if request is None or is_preview(context):
        return render()
    key = block_cache_key(block, value, request)
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, lifetime())
    return html
