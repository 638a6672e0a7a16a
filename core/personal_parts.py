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

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.functional import lazy
from django.utils.safestring import SafeString, mark_safe

#: Set on a request while its shared page is rendered: parts are then left as placeholders.
SHARED_RENDER = "_personal_parts_deferred"

_PLACEHOLDER = "<!--personal-part:{name}:7c1e-->"
_PLACEHOLDERS = re.compile(r"<!--personal-part:([a-z_]+):7c1e-->")


@dataclass(frozen=True)
class Part:
    template: str
    data: Callable[[object], dict]  # request → the template's whole context


def _account(request) -> dict:
    return {"user": request.user, "csrf_token": lazy(get_token, str)(request)}


def _basket(request) -> dict:
    return {"basket": request.basket}


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


def render_part(name: str, request) -> SafeString:
    part = PARTS[name]
    return mark_safe(get_template(part.template).render(part.data(request)))


def placeholder(name: str) -> SafeString:
    if name not in PARTS:
        raise KeyError(f"no personal part called {name!r} (core.personal_parts.PARTS)")
    return mark_safe(_PLACEHOLDER.format(name=name))


def part_or_placeholder(name: str, request) -> SafeString:
    """What ``{% personal_part name %}`` puts in the page."""
    if request is None or is_shared_render(request):
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
