"""Catalogue dashboard views: Oscar's, with the product list filtered by county and brand too."""

from oscar.apps.dashboard.catalogue import views as oscar_views
from oscar.apps.dashboard.catalogue.views import *  # noqa: F403


class ProductListView(oscar_views.ProductListView):
    def apply_search(self, queryset):
        queryset = super().apply_search(queryset)
        if not self.form.is_valid():
            return queryset
        county = self.form.cleaned_data.get("origin_county")
        if county:
            queryset = queryset.filter(origin_county=county)
        brand = self.form.cleaned_data.get("brand")
        if brand:
            queryset = queryset.filter(brand__icontains=brand)
        return queryset
