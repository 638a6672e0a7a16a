"""The portal's batch pages, mounted at /shop/portal/ beside the suppliers portal (see shop/urls.py)."""

from django.urls import path

from traceability.views import portal

app_name = "trace_portal"

urlpatterns = [
    path("batches/", portal.BatchListView.as_view(), name="batches"),
    path("batches/new/", portal.BatchCreateView.as_view(), name="batch-create"),
    path("batches/upload/", portal.SheetUploadView.as_view(), name="upload"),
    path("batches/template.<str:kind>", portal.SheetTemplateView.as_view(), name="template"),
    path("batches/imports/<int:pk>/", portal.BatchImportView.as_view(), name="import"),
    path(
        "batches/imports/<int:pk>/status.json", portal.BatchImportStatusView.as_view(), name="import-status"
    ),
    path("batches/imports/<int:pk>/sheet/", portal.BatchImportSheetView.as_view(), name="import-sheet"),
    path("batches/<int:pk>/", portal.BatchDetailView.as_view(), name="batch"),
    path("batches/<int:pk>/edit/", portal.BatchUpdateView.as_view(), name="batch-update"),
    path("batches/<int:pk>/delete/", portal.BatchDeleteView.as_view(), name="batch-delete"),
    path("batches/<int:pk>/publish/", portal.BatchPublishView.as_view(), name="batch-publish"),
    path("batches/<int:pk>/hold/", portal.BatchHoldView.as_view(), name="batch-hold"),
    path("batches/<int:pk>/release/", portal.BatchReleaseView.as_view(), name="batch-release"),
    path("batches/<int:pk>/events/new/", portal.EventCreateView.as_view(), name="event-create"),
    path(
        "batches/<int:pk>/inspections/new/", portal.InspectionCreateView.as_view(), name="inspection-create"
    ),
    path(
        "batches/<int:pk>/inspections/<int:inspection_pk>/report/",
        portal.InspectionReportView.as_view(),
        name="inspection-report",
    ),
    path("batches/<int:pk>/certificate/", portal.CertificateView.as_view(), name="certificate"),
    path("batches/<int:pk>/labels/", portal.LabelSheetView.as_view(), name="labels"),
    path("farm-inputs/", portal.FarmInputListView.as_view(), name="farm-inputs"),
    path("farm-inputs/new/", portal.FarmInputCreateView.as_view(), name="farm-input-create"),
    path("api-tokens/", portal.ApiTokenListView.as_view(), name="api-tokens"),
    path("api-tokens/<int:pk>/revoke/", portal.ApiTokenRevokeView.as_view(), name="api-token-revoke"),
]
