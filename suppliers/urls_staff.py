"""Staff review of suppliers, mounted in the dashboard area at /shop/dashboard/suppliers/."""

from django.urls import path

from suppliers.views import staff

app_name = "supplier-review"

urlpatterns = [
    path("", staff.SupplierReviewListView.as_view(), name="list"),
    path("<int:pk>/", staff.SupplierReviewDetailView.as_view(), name="detail"),
    path("<int:pk>/documents/<int:document_pk>/", staff.SupplierDocumentView.as_view(), name="document"),
    path(
        "<int:pk>/certificates/<int:certification_pk>/",
        staff.CertificationScanView.as_view(),
        name="certification-scan",
    ),
]
