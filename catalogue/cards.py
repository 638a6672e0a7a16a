"""Product cards rendered once and reused: the hot part of every list page.

A card (templates/oscar/catalogue/partials/product.html: picture, title, origin, marks, price,
availability, add-to-basket form) costs several milliseconds of template rendering, and a list page
shows 24 of them. Its HTML depends only on what the cache key holds: the product row (its
``date_updated``), its stock records (price, stock, allocations, whether the partner may sell), its
pictures, its quality marks, its option flags and the language. Any change to one of them gives a
new key, so a cached card is never stale; old keys simply expire.

The one per-visitor part, the CSRF token of the add-to-basket form, is rendered as a placeholder and
put in on the way out. Parent products (whose price comes from their children) are not cached.
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


def card_key(product, strategy) -> str | None:
    """Everything the card shows, hashed; ``None`` when the card must not be cached."""
    if product.is_parent:
        return None
    records = tuple(
        (
            r.pk,
            r.partner_id,
            str(r.price),
            r.num_in_stock,
            r.num_allocated,
            strategy.is_partner_blocked(r.partner_id),
        )
        for r in product.stockrecords.all()
    )
    images = tuple((i.pk, i.original.name, i.display_order) for i in product.images.all())
    marks = tuple(m.code for m in product.quality_marks.all())
    signature = repr(
        (
            product.pk,
            product.date_updated.isoformat() if product.date_updated else "",
            product.has_options,
            records,
            images,
            marks,
        )
    )
    digest = hashlib.blake2b(signature.encode(), digest_size=12).hexdigest()
    return f"card:{CARD_VERSION}:{get_language()}:{product.pk}:{digest}"


def render_card(context, product) -> str:
    """The card's HTML, from the cache when the product has not changed since it was rendered."""
    request = context.get("request")
    strategy = getattr(request, "strategy", None)
    key = card_key(product, strategy) if strategy is not None else None
    html = cache.get(key) if key else None
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
