"""Template helpers for the storefront: navigation categories, category icons, query strings."""

from django import template
from django.templatetags.static import static

from catalogue import selectors

register = template.Library()

#: Category slugs (see the brief's fixed names) that have their own drawn icon.
CATEGORY_ICONS = {"tea", "mushrooms", "citrus", "olive-oil", "yellow-wine", "others"}


@register.simple_tag
def nav_categories():
    """Top-level public categories for the header menu (cached: no query on most pages)."""
    return selectors.menu_categories()


@register.simple_tag
def category_icon(category) -> str:
    """URL of the drawn icon for a category, by slug; a generic one for any other category."""
    slug = getattr(category, "slug", "")
    name = slug if slug in CATEGORY_ICONS else "others"
    return static(f"img/categories/{name}.svg")


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (``None`` or "" drops one).

    Changing anything but the page sends the buyer back to page 1.
    """
    params = context["request"].GET.copy()
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def query_without(context, key, value=None) -> str:
    """The current query string without one parameter (or one value of a repeated parameter)."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    if value is None:
        params.pop(key, None)
    else:
        params.setlist(key, [v for v in params.getlist(key) if v != str(value)])
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def elided_pages(page_obj):
    """Page numbers around the current one, with ``Paginator.ELLIPSIS`` for the gaps."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1))


@register.simple_tag(takes_context=True)
def product_card(context, product):
    """Oscar's ``render_product``, with the rendered card cached (see ``catalogue.cards``)."""
    from catalogue.cards import render_card

    if not product:
        return ""
    return render_card(context, product)
