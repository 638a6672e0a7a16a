"""Template tags for CMS pages: menus, footer, breadcrumbs, meta tags and product images.

``{% cms_main_menu %}`` and ``{% cms_footer_parts as parts %}`` work in any template (the site footer,
templates/oscar/partials/footer.html, shows the editors' footer on every page, shop and CMS alike);
they read cached data (``cms.selectors``), so they cost no query on a warm cache.
"""

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import get_language

from cms import selectors

register = template.Library()


@register.inclusion_tag("cms/includes/main_menu.html", takes_context=True)
def cms_main_menu(context):
    request = context.get("request")
    path = getattr(request, "path", "")
    links = [{**link, "current": _is_current(path, link)} for link in selectors.menu_links("main", request)]
    return {"links": links, "request": request}


def _is_current(path: str, link: dict) -> bool:
    href = link["href"]
    if not href or link["external"]:
        return False
    return path == href or (href != "/" and path.startswith(href))


@register.simple_tag(takes_context=True)
def cms_footer_parts(context):
    """The editors' footer links and settings (about, hotline, e-mail, address, ICP licence)."""
    request = context.get("request")
    return {"links": selectors.menu_links("footer", request), "settings": selectors.footer(request)}


@register.inclusion_tag("cms/includes/breadcrumbs.html", takes_context=True)
def cms_breadcrumbs(context, page):
    crumbs = page.breadcrumbs(context.get("request")) if hasattr(page, "breadcrumbs") else []
    return {"crumbs": crumbs, "page": page}


@register.inclusion_tag("cms/includes/meta.html", takes_context=True)
def cms_meta(context, page):
    request = context.get("request")
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return {
        "page": page,
        "request": request,
        "og_image": page.get_og_image() if hasattr(page, "get_og_image") else None,
        "og_type": "article" if page.specific_class.__name__ == "StoryPage" else "website",
        "og_locale": "en_US" if language == "en" else "zh_CN",
        "canonical": page.get_full_url(request) if page is not None else "",
        "shop_name": context.get("shop_name"),
    }


@register.simple_tag
def cms_product_image(image, alt, size="400x400"):
    """An <img> for an Oscar product image, through the shop's thumbnailer when one is configured."""
    if not image:
        return ""
    url = image.original.url
    try:
        from oscar.core.thumbnails import get_thumbnailer

        url = (
            get_thumbnailer().generate_thumbnail(image.original, size=size, crop="center", upscale=False).url
        )
    except ImportError:  # the configured thumbnailer is not installed yet: the original will do
        pass
    width, _, height = size.partition("x")
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" loading="lazy" decoding="async">',
        url,
        alt,
        width,
        height,
    )


@register.filter
def absolute(url, request):
    """An absolute URL for ``url`` on the host the request came to (for Open Graph)."""
    if not url or url.startswith("http://") or url.startswith("https://") or request is None:
        return url
    return request.build_absolute_uri(url)
