"""Storefront catalogue views: the shop's home page and Oscar's product page, fed by selectors."""

from django.utils.decorators import method_decorator
from django.views.generic import TemplateView
from oscar.apps.catalogue.views import *  # noqa: F403
from oscar.apps.catalogue.views import ProductDetailView as CoreProductDetailView
from oscar.core.loading import get_class

from catalogue import selectors
from core.page_cache import anonymous_page_cache

CustomerHistoryManager = get_class("customer.history", "CustomerHistoryManager")


@method_decorator(anonymous_page_cache, name="dispatch")
class HomeView(TemplateView):
    """The shop's front page: what the platform is, its categories and featured products."""

    template_name = "oscar/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        featured = selectors.featured_products(limit=8)
        context.update(
            categories=selectors.category_cards(),
            featured_products=featured,
            featured_are_newest=not any(product.priority > 0 for product in featured),
        )
        return context


class ProductDetailView(CoreProductDetailView):
    """Oscar's product page with its reads prefetched in one place (``selectors``)."""

    def get_queryset(self):
        return selectors.product_detail_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        product = self.object
        categories = product.get_categories()
        category = categories[0] if len(categories) else None
        context.update(
            category=category,
            category_trail=selectors.category_trail(category),
            attribute_values=product.get_attribute_values(),
            quality_marks=list(product.quality_marks.all()),
        )
        viewed_ids = CustomerHistoryManager.extract(self.request)
        recommended, viewed = selectors.product_page_neighbours(product, viewed_ids=viewed_ids)
        context.update(recommended_products=recommended, recently_viewed_products=viewed)
        return context
