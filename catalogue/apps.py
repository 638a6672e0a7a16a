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
