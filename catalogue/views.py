"""Storefront catalogue views: Oscar's product page, plus the shop's home page."""

from django.views.generic import TemplateView
from oscar.apps.catalogue.views import *  # noqa: F403
from oscar.core.loading import get_model

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")


class HomeView(TemplateView):
    """The shop's front page: categories and featured products."""

    template_name = "oscar/home.html"
