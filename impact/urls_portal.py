"""A cooperative's impact page in its portal, mounted at /shop/portal/impact/ (see shop/urls.py)."""

from django.urls import path

from . import views

app_name = "impact_portal"

urlpatterns = [path("", views.PortalImpactView.as_view(), name="home")]
