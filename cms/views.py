"""Two files search engines ask for (``/robots.txt``, ``/sitemap.xml``) and the CMS admin's sign-out."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe
from wagtail.admin.views.account import LogoutView as WagtailLogoutView
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from cms.sitemaps import SITEMAPS


@require_safe
@cache_page(60 * 60)
def robots_txt(request):
    """Crawl everything public; stay out of checkout, basket, accounts, dashboards and admin."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in getattr(settings, "CMS_ROBOTS_DISALLOW", [])]
    lines += ["", f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
@cache_page(60 * 15)
def sitemap(request):
    """CMS pages, public products and categories, and approved suppliers (when that room exists)."""
    return wagtail_sitemap(request, sitemaps=SITEMAPS)


def cms_admin_logout(request):
    """Wagtail's sign-out, by POST only. Wagtail's own view refuses a GET (405) but still deletes the
    session cookie on the way out, so any page could sign an editor out with an ``<img>``."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return WagtailLogoutView.as_view()(request)
