"""Public supplier pages, mounted at /shop/suppliers/ (see shop/urls.py)."""

from django.urls import path

from suppliers.views import public

app_name = "suppliers"

urlpatterns = [
    path("", public.SupplierDirectoryView.as_view(), name="directory"),
    path("apply/", public.SupplierApplyView.as_view(), name="apply"),
    path("apply/done/", public.SupplierApplyDoneView.as_view(), name="apply-done"),
    # Slugs may be Chinese (partner codes follow partner names), hence <str:>.
    path("<str:slug>/", public.SupplierDetailView.as_view(), name="detail"),
    path("<str:slug>/bases/<int:pk>/", public.ProductionBaseDetailView.as_view(), name="base"),
    path(
        "<str:slug>/certificates/<int:pk>/", public.CertificationScanView.as_view(), name="certification-scan"
    ),
]
