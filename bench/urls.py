"""The site's URLs plus /bench/hello: a plain HttpResponse behind the same middleware (bench only)."""

from django.http import HttpResponse
from django.urls import path

from shop.urls import handler404  # noqa: F401  (the site's 404 page)
from shop.urls import urlpatterns as site_urlpatterns


def hello(request):
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [path("bench/hello", hello, name="bench-hello"), *site_urlpatterns]
