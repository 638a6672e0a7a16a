"""URL map: Oscar under /shop/, our own fixed URLs, and Wagtail's catch-all last."""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from django.views.static import serve as serve_static
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from core import views as core_views
from core.uploads import PUBLIC_IMAGE_EXTENSIONS
from shop.checkout import dashboard as checkout_dashboard
from traceability.api import api as traceability_api

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("robots.txt", cms_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", cms_views.sitemap, name="sitemap"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("django-admin/", admin.site.urls),
    # Before Wagtail's own: its sign-out deletes the session cookie even on a refused GET.
    path("cms-admin/logout/", cms_views.cms_admin_logout),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("shop/suppliers/", include("suppliers.urls")),
    path("shop/channels/", include("channels.urls")),
    path("shop/portal/", include("traceability.urls_portal")),
    path("shop/portal/", include("suppliers.urls_portal")),
    path("shop/dashboard/suppliers/", include("suppliers.urls_staff")),
    path("shop/dashboard/recalls/", include("traceability.urls_staff")),
    path("shop/dashboard/impact/", include("impact.urls")),
    path("shop/portal/impact/", include("impact.urls_portal")),
    path("shop/dashboard/files/<path:name>", core_views.private_file, name="private-file"),
    path("payments/", include("shop.payment.urls")),
    path("shop/accounts/phone/", include("shop.phone.urls")),
    path("api/v1/", traceability_api.urls),
    # /t/<code>/ trace pages and GS1 Digital Link /01/<gtin>/10/<lot>
    path("", include("traceability.urls")),
    path(
        "shop/dashboard/orders/<str:number>/bank-transfer/confirm/",
        checkout_dashboard.bank_transfer_confirm,
        name="order-bank-transfer-confirm",
    ),
    path(
        "shop/dashboard/payments/",
        include((apps.get_app_config("payment_dashboard").urls[0], "payment_dashboard")),
    ),
    path("shop/", include(apps.get_app_config("oscar").urls[0])),
]

if settings.DEBUG:
    # Pictures only, as nginx serves /media/ in production (deploy/nginx.conf); never private papers.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.+\.(?i:{'|'.join(PUBLIC_IMAGE_EXTENSIONS)}))$",
            serve_static,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

# Wagtail serves every path nothing above claimed; it must stay last.
urlpatterns += [path("", include(wagtail_urls))]

# Our own error pages, in the visitor's language (core/errors.py); CSRF_FAILURE_VIEW in settings.
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
