"""Card payments in Oscar's dashboard: a list of payments (flagged first) and refunds per order.

An Oscar dashboard app of its own, so Oscar's permission checks and menu work for it without
forking the whole dashboard. Mounted at /shop/dashboard/payments/ by shop/urls.py.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from oscar.core.application import OscarDashboardConfig


class PaymentDashboardConfig(OscarDashboardConfig):
    label = "payment_dashboard"
    name = "shop.payment.dashboard"
    verbose_name = _("Card payments dashboard")
    namespace = "payment_dashboard"

    # Money leaves the shop here: staff only, never partner (cooperative) users.
    default_permissions = ["is_staff"]

    def get_urls(self):
        from . import views

        urls = [
            path("", views.PaymentListView.as_view(), name="stripe-payment-list"),
            path(
                "orders/<str:number>/refund/", views.RefundCreateView.as_view(), name="stripe-refund-create"
            ),
            path("refunds/<int:pk>/send/", views.RefundSendView.as_view(), name="stripe-refund-send"),
            path("<int:pk>/review/", views.ReviewClearView.as_view(), name="stripe-payment-review-clear"),
        ]
        return self.post_process_urls(urls)
