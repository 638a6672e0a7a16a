"""Ten seconds of shared cache for storefront pages, for every visitor: the shared page once, the
visitor's own parts on every response.

Most storefront traffic is browsing: the home page, categories, search, product pages. What such a
page shows is the same for every visitor in the same language, except for a few parts of the
visitor's own (``core.personal_parts``: account links, mini basket, messages) and the CSRF token in
its forms. So the page is rendered once as an anonymous visitor with nothing of their own would see
it (``_render_shared``: an anonymous user, an empty basket, no session data, no messages), with
the personal parts left as placeholders and the tokens taken out, kept for
``settings.ANONYMOUS_PAGE_CACHE_SECONDS`` (10; 0 turns this off, as the test settings do), and every
response, the first one included, is that page with this visitor's parts and token put in.

Who gets a page of their own instead (rendered in full, never stored): staff (their pages carry edit
links), and anyone whose rendering would not be the anonymous one after all (it wrote to the
session or left a message). A buyer with prices of their own (a member of an organisation with a
channel price list, ``shop.partner.strategy``) shares pages only with buyers of the same prices:
the strategy's ``price_context`` is part of the key, and the page is rendered with their strategy.
Finding a member's terms costs a cache hit no more queries than a retail buyer's (session, user,
basket lines): ``channels.terms`` remembers them in the cache under a generation that any
membership, organisation or price list change renews (pinned in tests/core/test_page_cache.py).

What this costs: a price, stock or supplier change reaches visitors at most that many seconds late
(a sold-out product can still show its add button for that long; adding it then says it is sold
out, as it would for a page opened a little earlier).

A view with work of its own to do on every visit passes ``on_hit``: the product page records the
view (Oscar's analytics counter, the buyer's own history, the visitor's history cookie) on every
response from here, as the real visitor. The visitor's recently viewed products are not part of any
page: the browser fetches them (catalogue.views.RecentlyViewedView).
"""

from __future__ import annotations

import functools
import hashlib
import re

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.base import BaseStorage
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language
from oscar.core.loading import get_model

from core import personal_parts

CSRF_PAGE_PLACEHOLDER = "csrf-page-placeholder-5d2a"
_TOKEN_IN_FORM = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")


def _price_context(request) -> str | None:
    """Which shared page this visitor may have: "" the retail one, another string the one of buyers
    with the same prices, ``None`` none (render in full). An anonymous visitor costs nothing here;
    anyone else what the middleware would load anyway (session, user, buyer terms). The strategy is
    asked whatever cookies the request carries: a page priced for a member is never the retail one."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return None
    strategy = getattr(request, "strategy", None)
    if strategy is None:
        return ""
    return getattr(strategy, "price_context", None)


def _key(request, price_context: str) -> str:
    digest = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    prices = hashlib.blake2b(price_context.encode(), digest_size=8).hexdigest() if price_context else "retail"
    return f"page:shared:{get_language()}:{prices}:{digest}"


def anonymous_page_cache(view=None, *, on_hit=None):
    """Decorate a view (or a class-based view's ``dispatch``) whose page is the same for every
    visitor but for its personal parts (``core.personal_parts``).

    ``on_hit(request, response, *args, **kwargs)``, when given, runs for every page served from
    here (rendered or cached), as the real visitor, with the view's URL arguments; what it does must
    not depend on the page's content. The view must then skip that work when
    ``personal_parts.is_shared_render(request)``.
    """
    if view is None:
        return functools.partial(anonymous_page_cache, on_hit=on_hit)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.ANONYMOUS_PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        price_context = _price_context(request)
        if price_context is None:
            return view(request, *args, **kwargs)
        key = _key(request, price_context)
        cached = cache.get(key)
        if cached is not None:
            content, headers = cached
            response = HttpResponse(_personalise(content, request))
            for name, value in headers.items():
                response[name] = value
            response["X-Page-Cache"] = "hit"
        else:
            response, shareable = _render_shared(view, request, args, kwargs)
            if not shareable:
                return view(request, *args, **kwargs)  # this visitor's own page after all
            if response.status_code != 200 or response.streaming:
                return response
            html = response.content.decode(response.charset)
            content = _TOKEN_IN_FORM.sub(rf"\g<1>{CSRF_PAGE_PLACEHOLDER}\g<2>", html)
            headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
            cache.set(key, (content, headers), settings.ANONYMOUS_PAGE_CACHE_SECONDS)
            response.content = _personalise(content, request)
        if on_hit is not None:
            on_hit(request, response, *args, **kwargs)
        return response

    return wrapped


def _personalise(content: str, request) -> str:
    return personal_parts.fill(content.replace(CSRF_PAGE_PLACEHOLDER, get_token(request)), request)


class _NoMessages(BaseStorage):
    """The messages a shared page is rendered with: none; one added is noticed (``added_new``)."""

    def _get(self, *args, **kwargs):
        return [], True

    def _store(self, messages, response, *args, **kwargs):
        return []


class _NoSession(SessionBase):
    """The session a shared page is rendered with: empty, never saved; a write is noticed."""

    def load(self):
        return {}

    def exists(self, session_key):
        return False

    def create(self):
        pass

    def save(self, must_create=False):
        pass

    def delete(self, session_key=None):
        pass


_SWAPPED = ("user", "basket", "session", "_messages")


def _render_shared(view, request, args, kwargs):
    """The view's response rendered as an anonymous visitor with nothing of their own would get it
    (but with this visitor's prices, the same for everyone sharing the page), personal parts left
    as placeholders; and whether it may be shared (the rendering wrote nothing of its own)."""
    Basket = get_model("basket", "Basket")
    saved = {name: request.__dict__[name] for name in _SWAPPED if name in request.__dict__}
    strategy = getattr(request, "strategy", None)
    basket = Basket()
    basket.strategy = strategy
    messages, session = _NoMessages(request), _NoSession()
    request.user, request.basket, request.session, request._messages = (
        AnonymousUser(),
        basket,
        session,
        messages,
    )
    setattr(request, personal_parts.SHARED_RENDER, True)
    try:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
    finally:
        delattr(request, personal_parts.SHARED_RENDER)
        for name in _SWAPPED:
            request.__dict__.pop(name, None)
        request.__dict__.update(saved)
    shareable = not (messages.added_new or session.modified or basket.pk)
    return response, shareable
