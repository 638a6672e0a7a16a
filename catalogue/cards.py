"""Product cards rendered once and reused: the hot part of every list page.

A card (templates/oscar/catalogue/partials/product.html: picture, title, origin, marks, price,
availability, add-to-basket form) costs several milliseconds of template rendering, and a list page
shows 24 of them. Its HTML depends only on what the cache key holds: the product row (its
``date_updated``), its stock records (price, stock, allocations, whether the partner may sell), its
pictures, its quality marks, its option flags, the language, and the buyer's own terms for it (a
member's channel price, minimum order and case size: ``strategy.terms_signature``, empty for
everyone else, so a retail visitor is never given a member's card). Any change to one of them gives
a new key, so a cached card is never stale; old keys simply expire.

The one per-visitor part, the CSRF token of the add-to-basket form, is rendered as a placeholder and
put in on the way out. Parent products (whose price comes from their children) are not cached.

Products evaluated by ``selectors.products_for_cards`` form a *page*: the first of its cards to be
rendered looks up all of them in one cache round trip, and only the products whose card is missing
get what rendering reads (``selectors.prefetch_for_rendering``). A product from anywhere else works
too, one lookup at a time.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import select_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

#: Bump when the card template changes in a way the data in the key does not show.
CARD_VERSION = "1"
CARD_SECONDS = 60 * 60
CSRF_PLACEHOLDER = "csrf-placeholder-7b1e0c"


def card_templates(product) -> list[str]:
    """Oscar's lookup order (``render_product``): by UPC, by product class, then the default."""
    return [
        f"oscar/catalogue/partials/product/upc-{product.upc}.html",
        f"oscar/catalogue/partials/product/class-{product.get_product_class().slug}.html",
        "oscar/catalogue/partials/product.html",
    ]


def _rows(product, relation: str) -> list:
    """A product's related rows as ``products_for_cards`` left them, else from its related manager."""
    rows = getattr(product, f"card_{relation}", None)
    return rows if rows is not None else list(getattr(product, relation).all())


def card_key(product, strategy) -> str | None:
    """Everything the card shows, hashed; ``None`` when the card must not be cached (a parent, or
    no pricing strategy to say which partners may sell)."""
    if product.is_parent or strategy is None:
        return None
    stockrecords = _rows(product, "stockrecords")
    records = tuple(
        (
            r.pk,
            r.partner_id,
            str(r.price),
            r.num_in_stock,
            r.num_allocated,
            strategy.is_partner_blocked(r.partner_id),
        )
        for r in stockrecords
    )
    images = tuple((i.pk, i.original.name, i.display_order) for i in _rows(product, "images"))
    terms_signature = getattr(strategy, "terms_signature", None)
    buyer = terms_signature([r.product_id for r in stockrecords]) if terms_signature else ""
    marks = tuple(m.code for m in _rows(product, "quality_marks"))
    signature = repr(
        (
            product.pk,
            product.date_updated.isoformat() if product.date_updated else "",
            product.has_options,
            records,
            images,
            marks,
            buyer,
        )
    )
    digest = hashlib.blake2b(signature.encode(), digest_size=12).hexdigest()
    return f"card:{CARD_VERSION}:{get_language()}:{product.pk}:{digest}"


def _look_up_page(page: list, strategy) -> None:
    """Give every product of a page its card key and cached HTML (``None`` when missing) from one
    cache round trip, and the products to be rendered what rendering reads."""
    from catalogue.selectors import prefetch_for_rendering

    keys = {product.pk: card_key(product, strategy) for product in page}
    found = cache.get_many([key for key in keys.values() if key])
    missing = []
    for product in page:
        product.card_cache_key = keys[product.pk]
        product.card_html = found.get(product.card_cache_key) if product.card_cache_key else None
        if product.card_html is None:
            missing.append(product)
    if missing:
        prefetch_for_rendering(missing)


def _cached_html(product, strategy) -> tuple[str | None, str | None]:
    """(cache key, cached HTML) of a product's card, looking up its whole page on first use."""
    page = getattr(product, "card_page", None)
    if page is not None and not hasattr(product, "card_html"):
        _look_up_page(page, strategy)
    if hasattr(product, "card_html"):
        return product.card_cache_key, product.card_html
    key = card_key(product, strategy)
    return key, cache.get(key) if key else None


def render_card(context, product) -> str:
    """The card's HTML, from the cache when the product has not changed since it was rendered."""
    request = context.get("request")
    strategy = getattr(request, "strategy", None)
    key, html = _cached_html(product, strategy)
    if html is None:
        values = context.flatten()
        values["product"] = product
        if key:
            values["csrf_token"] = CSRF_PLACEHOLDER
        html = select_template(card_templates(product)).render(values)
        if key:
            cache.set(key, html, CARD_SECONDS)
        else:
            return html
    if CSRF_PLACEHOLDER in html:
        # The page's one token (the context's lazy csrf_token, as {% csrf_token %} uses): a fresh
        # masked token per card would cost 32 random draws each.
        html = html.replace(CSRF_PLACEHOLDER, str(context.get("csrf_token") or get_token(request)))
    return mark_safe(html)  # noqa: S308 (rendered by our own template, with autoescaping)
