"""Storefront catalogue views: the shop's home page, Oscar's product page and the visitor's recently
viewed products, fed by selectors."""

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from oscar.apps.catalogue.signals import product_viewed
from oscar.apps.catalogue.views import *  # noqa: F403
from oscar.apps.catalogue.views import ProductDetailView as CoreProductDetailView
from oscar.core.loading import get_class, get_model

from catalogue import selectors
from core.page_cache import anonymous_page_cache
from core.personal_parts import is_shared_render

CustomerHistoryManager = get_class("customer.history", "CustomerHistoryManager")
Product = get_model("catalogue", "Product")


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


def _record_shared_view(request, response, *args, pk, **kwargs):
    """A product page served from the shared cache (or rendered for it) counts the view, for the
    real visitor, and joins their history cookie, as Oscar's view does after rendering (both need
    only the product's id)."""
    product = Product(pk=int(pk))
    product_viewed.send(
        sender=ProductDetailView, product=product, user=request.user, request=request, response=response
    )


@method_decorator(anonymous_page_cache(on_hit=_record_shared_view), name="dispatch")
class ProductDetailView(CoreProductDetailView):
    """Oscar's product page with its reads prefetched in one place (``selectors``).

    The page holds nothing of the visitor's own but its personal parts, so it is shared like the
    list pages (core.page_cache); the visitor's recently viewed products are fetched by the browser.
    """

    def send_signal(self, request, response, product):
        if not is_shared_render(request):  # rendered as nobody in particular: core.page_cache records it
            super().send_signal(request, response, product)

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
            recommended_products=selectors.recommended_products(product),
        )
        return context


@method_decorator(never_cache, name="dispatch")
class RecentlyViewedView(View):
    """The visitor's recently viewed products as an HTML fragment for the product page's script
    (static/js/shop.js); 204 when there are none. ``exclude`` names the page's own product."""

    template_name = "oscar/catalogue/partials/recently_viewed.html"

    def get(self, request):
        exclude = request.GET.get("exclude", "")
        products = selectors.recently_viewed_products(
            CustomerHistoryManager.extract(request),
            exclude=int(exclude) if exclude.isascii() and exclude.isdigit() else None,
        )
        if not products:
            return HttpResponse(status=204)
        return TemplateResponse(request, self.template_name, {"recently_viewed_products": products})
