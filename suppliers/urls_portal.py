"""The cooperative portal, mounted at /shop/portal/ (see shop/urls.py)."""

from django.urls import path

from suppliers.views import portal

app_name = "portal"

urlpatterns = [
    path("", portal.PortalHomeView.as_view(), name="home"),
    path("profile/", portal.ProfileEditView.as_view(), name="profile"),
    path("bases/", portal.BaseListView.as_view(), name="bases"),
    path("bases/new/", portal.BaseCreateView.as_view(), name="base-create"),
    path("bases/<int:pk>/", portal.BaseUpdateView.as_view(), name="base-update"),
    path("bases/<int:pk>/delete/", portal.BaseDeleteView.as_view(), name="base-delete"),
    path("bases/<int:pk>/photos/", portal.BasePhotosView.as_view(), name="base-photos"),
    path(
        "bases/<int:pk>/photos/<int:photo_pk>/delete/",
        portal.BasePhotoDeleteView.as_view(),
        name="base-photo-delete",
    ),
    path("certifications/", portal.CertificationListView.as_view(), name="certifications"),
    path("certifications/new/", portal.CertificationCreateView.as_view(), name="certification-create"),
    path("certifications/<int:pk>/", portal.CertificationUpdateView.as_view(), name="certification-update"),
    path("certifications/<int:pk>/scan/", portal.CertificationScanView.as_view(), name="certification-scan"),
    path(
        "certifications/<int:pk>/delete/",
        portal.CertificationDeleteView.as_view(),
        name="certification-delete",
    ),
    path("stock/", portal.StockListView.as_view(), name="stock"),
    path("stock/<int:pk>/", portal.StockUpdateView.as_view(), name="stock-update"),
    path("orders/", portal.OrderListView.as_view(), name="orders"),
    path("orders/<str:number>/", portal.OrderDetailView.as_view(), name="order"),
    path("orders/<str:number>/ship/", portal.OrderShipView.as_view(), name="order-ship"),
    path("sales/", portal.SalesView.as_view(), name="sales"),
]
