"""The visitor's own parts of a shared page: the account links, the mini basket, the messages.

A storefront page shared among visitors (``core.page_cache``) is rendered once as an anonymous
visitor with nothing of their own would see it, except that each personal part is left as a
placeholder (``{% personal_part "name" %}``, ``core.templatetags.personal_tags``). Every response
then gets the placeholders filled for its own visitor by ``fill``: a few small templates, each given
only what it shows (the user, the basket, the messages, the visitor's CSRF token), never the page's
context. A page that is not shared (the basket page, checkout, the account pages) renders the same
parts in place, with the same templates and the same data.

A new personal bit of a shared page goes here as a part; anything else on such a page is what an
anonymous visitor sees, whoever asks (``core.page_cache`` renders it with an anonymous user).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

#: Set on a request while its shared page is rendered: parts are then left as placeholders.
SHARED_RENDER = "_personal_parts_deferred"

_PLACEHOLDER = "<!--personal-part:{name}:7c1e-->"
_PLACEHOLDERS = re.compile(r"<!--personal-part:([a-z_]+):7c1e-->")


@dataclass(frozen=True)
class Part:
    template: str
    data: Callable[[object], dict]  # request → the template's whole context


@dataclass(frozen=True)
class _Visitor:
    """All the account parts know of a user: whether signed in, and whether staff. Nothing else
    can reach their templates, so one rendering serves every visitor of the same kind."""

    is_authenticated: bool
    is_staff: bool


_CSRF_SLOT = "csrf-part-placeholder-91c4"
_account_parts: dict[tuple, str] = {}


def _account(request) -> dict:
    user = request.user
    visitor = _Visitor(bool(user.is_authenticated), bool(user.is_authenticated and user.is_staff))
    return {"user": visitor, "csrf_token": _CSRF_SLOT}


def _account_part(part: Part, request) -> SafeString:
    """An account part, rendered once per process for each kind of visitor and language, with this
    visitor's CSRF token put in."""
    context = part.data(request)
    key = (part.template, get_language(), context["user"])
    html = _account_parts.get(key)
    if html is None:
        html = _account_parts[key] = str(get_template(part.template).render(context))
    return mark_safe(html.replace(_CSRF_SLOT, get_token(request)) if _CSRF_SLOT in html else html)


def _basket(request) -> dict:
    return {"basket": request.basket}


def _mini_basket_signature(request) -> str | None:
    """What the mini basket shows depends on, in one query (``None``: ask Oscar's middleware, which
    loads the basket in full: a sign-in with a cookie basket to merge, several open baskets).

    The basket is the one Oscar's middleware would load (the signed-in buyer's open basket, or the
    open anonymous basket the signed cookie names), so a signature, and the key holding it, names one
    visitor's basket: its lines' number, quantities, last change and newest line. Prices and offers
    are read when the part is rendered; a change to them shows within the part's cache time."""
    from django.core.signing import BadSignature, Signer
    from oscar.core.loading import get_model

    Basket = get_model("basket", "Basket")
    Line = get_model("basket", "Line")
    cookie = request.COOKIES.get(settings.OSCAR_BASKET_COOKIE_OPEN)
    user = request.user
    if user.is_authenticated:
        if cookie:
            return None
        owner = f"user:{user.pk}"
        lines = Line.objects.filter(basket__owner=user, basket__status=Basket.OPEN)
    elif cookie:
        try:
            basket_id = int(Signer().unsign(cookie))
        except (BadSignature, ValueError):
            return None
        owner = f"basket:{basket_id}"
        lines = Line.objects.filter(basket_id=basket_id, basket__owner=None, basket__status=Basket.OPEN)
    else:
        return "nobody"
    # The lines themselves, not an aggregate: a basket has a few, and the plain query is cheaper to build.
    rows = list(lines.values_list("basket_id", "id", "quantity", "date_updated"))
    if len({row[0] for row in rows}) > 1:
        return None
    quantity = sum(row[2] for row in rows)
    changed = max((row[3] for row in rows), default=None)
    newest = max((row[1] for row in rows), default=0)
    return f"{owner}:{len(rows)}:{quantity}:{changed.isoformat() if changed else '-'}:{newest}"


def _mini_basket(request) -> SafeString:
    """The mini basket, kept for the shared pages' cache time under what it depends on, so a buyer
    browsing with a basket costs one query for it, not Oscar's full load (lines, offers, vouchers,
    stock records: eight)."""
    seconds = settings.ANONYMOUS_PAGE_CACHE_SECONDS
    loaded = getattr(request, "_basket_cache", None) is not None
    signature = None if loaded or not seconds else _mini_basket_signature(request)
    if signature is None:
        return _render(PARTS["mini_basket"], request)
    strategy = getattr(request, "strategy", None)
    prices = getattr(strategy, "price_context", "") if strategy is not None else ""
    digest = hashlib.blake2b(f"{prices}|{signature}".encode(), digest_size=16).hexdigest()
    key = f"personal:mini-basket:{get_language()}:{digest}"
    html = cache.get(key)
    if html is None:
        html = _render(PARTS["mini_basket"], request)
        cache.set(key, str(html), seconds)
    return mark_safe(html)


def _messages(request) -> dict:
    return {"messages": get_messages(request)}


PARTS: dict[str, Part] = {
    "account_links": Part("oscar/partials/personal/account_links.html", _account),
    "footer_account": Part("oscar/partials/personal/footer_account.html", _account),
    "mini_basket": Part("oscar/partials/personal/mini_basket.html", _basket),
    "messages": Part("oscar/partials/personal/messages.html", _messages),
}


def is_shared_render(request) -> bool:
    return bool(getattr(request, SHARED_RENDER, False))


def _render(part: Part, request) -> SafeString:
    return mark_safe(get_template(part.template).render(part.data(request)))


def render_part(name: str, request) -> SafeString:
    if name == "mini_basket":
        return _mini_basket(request)
    if PARTS[name].data is _account:
        return _account_part(PARTS[name], request)
    return _render(PARTS[name], request)


def placeholder(name: str) -> SafeString:
    if name not in PARTS:
        raise KeyError(f"no personal part called {name!r} (core.personal_parts.PARTS)")
    return mark_safe(_PLACEHOLDER.format(name=name))


def part_or_placeholder(name: str, request) -> SafeString:
    """What ``{% personal_part name %}`` puts in the page."""
    if request is None:  # rendered outside a request (an e-mail, a fragment): nobody's parts
        placeholder(name)  # the name is still checked
        return mark_safe("")
    if is_shared_render(request):
        return placeholder(name)
    return render_part(name, request)


def fill(html: str, request) -> str:
    """``html`` with every placeholder replaced by this visitor's part (each rendered once)."""
    rendered: dict[str, str] = {}

    def replace(match):
        name = match.group(1)
        if name not in rendered:
            rendered[name] = render_part(name, request) if name in PARTS else ""
        return rendered[name]

    return _PLACEHOLDERS.sub(replace, html)
