"""Reads the site chrome needs on every page: the menus and the footer, cached.

Menus change rarely and are read on every request, so their resolved links are cached for
``CMS_CHROME_CACHE_SECONDS`` (10 minutes) and dropped at once when a menu, the footer or a page
is saved, published, unpublished, moved or deleted (see ``cms.signals``).
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from cms.i18n import english_active, pick

CHROME_VERSION_KEY = "cms:chrome-version"


def _chrome_version() -> int:
    version = cache.get(CHROME_VERSION_KEY)
    if version is None:
        cache.add(CHROME_VERSION_KEY, 1, timeout=None)
        version = cache.get(CHROME_VERSION_KEY) or 1
    return version


def chrome_changed(**kwargs) -> None:
    """Signal receiver: menus, footer or page titles/URLs changed."""
    if kwargs.get("raw"):
        return
    try:
        cache.incr(CHROME_VERSION_KEY)
    except ValueError:
        cache.set(CHROME_VERSION_KEY, 2, timeout=None)


def _lifetime() -> int:
    return int(getattr(settings, "CMS_CHROME_CACHE_SECONDS", 600))


def menu_links(handle: str, request=None) -> list[dict]:
    """The links of a menu as ``{"label", "href", "external"}``; live pages only, in the active language."""
    return _all_menu_links(request).get(handle, [])


def _all_menu_links(request=None) -> dict[str, list[dict]]:
    """Every menu's links, read together (three queries at most) and cached per language."""
    from wagtail.models import Page

    from cms.models import Menu

    key = f"cms:menus:{translation.get_language()}:{_chrome_version()}"
    menus = cache.get(key)
    if menus is not None:
        return menus
    menus = {}
    found = list(Menu.objects.prefetch_related("items"))
    page_ids = [item.link_page_id for menu in found for item in menu.items.all() if item.link_page_id]
    pages = {}
    if page_ids:
        live = Page.objects.live().public().filter(pk__in=page_ids)
        # English labels need the pages' own title_en; Chinese ones do with Wagtail's title.
        pages = {p.pk: p for p in (live.specific() if english_active() else live)}
    for menu in found:
        links = []
        for item in menu.items.all():
            if item.link_page_id:
                page = pages.get(item.link_page_id)
                if page is None:  # draft, private or deleted: the link waits
                    continue
                if english_active():
                    label = item.label_en or getattr(page, "display_title", page.title)
                else:
                    label = item.label or page.title
                links.append({"label": label, "href": page.get_url(request), "external": False})
            else:
                links.append(
                    {
                        "label": pick(item.label, item.label_en),
                        "href": item.link_url,
                        "external": item.link_url.startswith("https://"),
                    }
                )
        menus[menu.handle] = links
    cache.set(key, menus, _lifetime())
    return menus


def footer(request=None):
    """The footer settings (one row), cached with the menus."""
    from cms.models import FooterSettings

    key = f"cms:footer:{_chrome_version()}"
    data = cache.get(key)
    if data is None:
        # A read never writes: until an editor saves the footer, an empty one is shown.
        data = FooterSettings.objects.order_by("pk").first() or FooterSettings()
        cache.set(key, data, _lifetime())
    return data


def breadcrumbs(page, request=None) -> list[dict]:
    """The trail above ``page``; cached with the menus, since a title or URL change drops both."""
    key = f"cms:crumbs:{page.pk}:{translation.get_language()}:{_chrome_version()}"
    crumbs = cache.get(key)
    if crumbs is None:
        ancestors = page.get_ancestors().filter(depth__gt=1)
        if english_active():  # English titles live on the specific pages
            ancestors = ancestors.specific()
        crumbs = [
            {"title": getattr(a, "display_title", a.title), "url": a.get_url(request)} for a in ancestors
        ]
        cache.set(key, crumbs, _lifetime())
    return crumbs
