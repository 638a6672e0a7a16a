"""Staff recall desk, mounted in the dashboard area at /shop/dashboard/recalls/ (see shop/urls.py)."""

from django.urls import path

from traceability.views import staff

app_name = "recall"

urlpatterns = [
    path("", staff.RecallListView.as_view(), name="list"),
    path("new/<int:pk>/", staff.RecallCreateView.as_view(), name="create"),
    path("<int:pk>/", staff.RecallDetailView.as_view(), name="detail"),
    path("<int:pk>/export.csv", staff.RecallExportView.as_view(), {"fmt": "csv"}, name="export-csv"),
    path("<int:pk>/export.xlsx", staff.RecallExportView.as_view(), {"fmt": "xlsx"}, name="export-xlsx"),
]
