"""Ten seconds of shared cache for storefront pages, for visitors who carry nothing of their own.

Most storefront traffic is anonymous browsing: the home page, categories, search, product pages. A
visitor with no session, basket or messages cookie sees exactly what every other such visitor sees
in the same language, except for the CSRF token in the page's forms. Such a page is kept for
``settings.ANONYMOUS_PAGE_CACHE_SECONDS`` (10; 0 turns this off, as the test settings do) and
served to the next such visitor with their own token put in. Anyone signed in, with a basket, or
with a message waiting gets a freshly rendered page.

What this costs: a price, stock or supplier change reaches these visitors at most that many seconds
late (a sold-out product can still show its add button for that long; adding it then says it is
sold out, as it would for a page opened a little earlier).

A view with work of its own to do on every visit passes ``on_hit``: the product page records the view
(Oscar's analytics counter and the visitor's history cookie) even when the page comes from here. The
visitor's recently viewed products are not part of any page: the browser fetches them
(catalogue.views.RecentlyViewedView), so the history cookie does not stop sharing.
"""

from __future__ import annotations

import functools
import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

CSRF_PAGE_PLACEHOLDER = "csrf-page-placeholder-5d2a"
_TOKEN_IN_FORM = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")


def _personal_cookies() -> tuple[str, ...]:
    return (
        settings.SESSION_COOKIE_NAME,
        settings.OSCAR_BASKET_COOKIE_OPEN,
        getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
    )


def _is_shared_visitor(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    return not any(name in request.COOKIES for name in _personal_cookies())


def _key(request) -> str:
    digest = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    return f"page:anonymous:{get_language()}:{digest}"


def anonymous_page_cache(view=None, *, on_hit=None):
    """Decorate a view (or a class-based view's ``dispatch``) whose page is the same for every
    anonymous visitor with nothing of their own.

    ``on_hit(request, response, *args, **kwargs)``, when given, runs for every page served from the
    cache, with the view's URL arguments; what it does must not depend on the page's content.
    """
    if view is None:
        return functools.partial(anonymous_page_cache, on_hit=on_hit)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.ANONYMOUS_PAGE_CACHE_SECONDS or not _is_shared_visitor(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            content, headers = cached
            response = HttpResponse(content.replace(CSRF_PAGE_PLACEHOLDER, get_token(request)))
            for name, value in headers.items():
                response[name] = value
            response["X-Page-Cache"] = "hit"
            if on_hit is not None:
                on_hit(request, response, *args, **kwargs)
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "add_post_render_callback") and not response.is_rendered:
                response.add_post_render_callback(lambda rendered: _store(request, key, rendered))
            else:
                _store(request, key, response)
        return response

    return wrapped


def _store(request, key: str, response) -> None:
    messages = getattr(request, "_messages", None)
    session = getattr(request, "session", None)
    if (messages is not None and getattr(messages, "added_new", False)) or (
        session is not None and session.modified
    ):
        return  # the page now holds something of this visitor's own
    if getattr(getattr(request, "strategy", None), "is_personal", False):
        # Priced for this buyer (a member's channel prices): never shared. Members are signed in,
        # so they carry a session cookie and never get here; this holds even if one did not.
        return
    html = response.content.decode(response.charset)
    content = _TOKEN_IN_FORM.sub(rf"\g<1>{CSRF_PAGE_PLACEHOLDER}\g<2>", html)
    headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
    cache.set(key, (content, headers), settings.ANONYMOUS_PAGE_CACHE_SECONDS)
