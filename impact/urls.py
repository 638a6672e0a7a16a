"""Impact pages in the staff dashboard, mounted at /shop/dashboard/impact/ (see shop/urls.py)."""

from django.urls import path

from . import views

app_name = "impact"

urlpatterns = [
    path("", views.StaffImpactView.as_view(), name="dashboard"),
    path("targets/", views.TargetsView.as_view(), name="targets"),
    path("channel/<str:channel>/", views.ManagerImpactView.as_view(), name="channel"),
]
