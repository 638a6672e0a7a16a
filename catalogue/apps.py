import oscar.apps.catalogue.apps as apps
from django.urls import path


class CatalogueConfig(apps.CatalogueConfig):
    name = "catalogue"

    def get_urls(self):
        from catalogue.views import RecentlyViewedView

        # Before Oscar's patterns; "recently-viewed/" matches none of them (a product path ends "_<id>/").
        return [
            path("recently-viewed/", RecentlyViewedView.as_view(), name="recently-viewed"),
            *super().get_urls(),
        ]

    def ready(self):
        super().ready()
        # Product views are counted in batches (catalogue.view_counts), not one UPDATE per view.
        # Importing Oscar's receivers first makes sure theirs is connected before it is swapped out.
        from oscar.apps.analytics import receivers as analytics_receivers
        from oscar.apps.catalogue.signals import product_viewed

        from catalogue import view_counts

        product_viewed.disconnect(analytics_receivers.receive_product_view)
        product_viewed.connect(view_counts.receive_product_view, dispatch_uid="catalogue.view_counts")
