"""The Oscar shop application, with its home page replaced by the storefront's own."""

from django.urls import path
from oscar.config import Shop
from oscar.core.loading import get_class


class ShiyanShop(Shop):
    def get_urls(self):
        home_view = get_class("catalogue.views", "HomeView")
        urls = super().get_urls()
        # Oscar's "home" is a redirect to the catalogue; ours shows categories and featured products.
        urls[0] = path("", home_view.as_view(), name="home")
        return urls
