"""Impact pages in the staff dashboard, mounted at /shop/dashboard/impact/ (see shop/urls.py)."""

from django.urls import path

from . import views

app_name = "impact"

urlpatterns = [
    path("", views.StaffImpactView.as_view(), name="dashboard"),
    path("targets/", views.TargetsView.as_view(), name="targets"),
    path("channel/<str:channel>/", views.ManagerImpactView.as_view(), name="channel"),
    path("reports/", views.ReportsView.as_view(), name="reports"),
    path("reports/<int:pk>/", views.ReportView.as_view(), name="report"),
    path("reports/<int:pk>/pdf/", views.ReportPdfView.as_view(), name="report-pdf"),
]
