"""The shop's URLs plus views that fail on purpose, for tests/core/test_error_pages.py."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from shop.urls import handler400, handler403, handler404, handler500  # noqa: F401  (looked up here)
from shop.urls import urlpatterns as shop_urlpatterns


def raise_error(request):
    raise RuntimeError("a bug in a view")


def raise_denied(request):
    raise PermissionDenied


urlpatterns = [
    path("test-errors/500/", raise_error),
    path("test-errors/403/", raise_denied),
    *shop_urlpatterns,
]
