"""Template tags: the offline map of Shiyan, certification badges, and the supplier on a product page."""

from django import template

from core.places import County
from suppliers import geo, selectors

register = template.Library()


@register.inclusion_tag("suppliers/partials/map.html")
def shiyan_map(map_bases, highlight: str = "", caption: str = "", link: bool = True, width: int = 600):
    """An inline SVG of Shiyan's counties with ``(supplier, base)`` pairs placed on it.

    No tile server, no script: the page works offline and on slow rural networks. Each marker links to
    its base page and carries the base's name as a tooltip; the numbers match the list beside the map.
    """
    projection = geo.Projection(width=width)
    markers = []
    for number, (supplier, base) in enumerate(map_bases, start=1):
        x, y = projection.xy(base.longitude, base.latitude)
        markers.append({"number": number, "x": x, "y": y, "base": base, "supplier": supplier})
    return {
        "width": width,
        "height": projection.height,
        "counties": geo.county_shapes(float(width)),
        "highlight": str(highlight or ""),
        "markers": markers,
        "caption": caption,
        "link": link,
        "county_names": dict(County.choices),
    }


@register.inclusion_tag("suppliers/partials/badges.html")
def certification_badges(certifications, show_number: bool = False):
    """Badges for the certifications passed in; callers pass only currently valid ones."""
    return {"certifications": certifications, "show_number": show_number}


@register.inclusion_tag("suppliers/partials/product_supplier.html")
def supplier_for_product(product):
    """“Grown by …” with a link to the supplier's profile and its valid badges; nothing if none.

    For the product page: ``{% load suppliers_tags %}{% supplier_for_product product %}``. Two queries.
    """
    return {"supplier": selectors.supplier_for_product(product) if product is not None else None}
