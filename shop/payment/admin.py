"""Oscar's payment admin, plus read-only views of card payments, Stripe events and refunds."""

from django.contrib import admin
from oscar.apps.payment.admin import *

from .models import StripeEvent, StripePayment, StripeRefund


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written only by shop.payment.services; the admin is for looking (e.g. at stuck events)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StripePayment)
class StripePaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "order",
        "state",
        "method",
        "amount",
        "amount_refunded",
        "payment_intent_id",
        "needs_review",
        "created_at",
    ]
    list_filter = ["state", "method", "needs_review"]
    search_fields = ["order__number", "payment_intent_id"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "received_at", "processed_at", "outcome", "attempts"]
    list_filter = ["type", "outcome", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_id"]


@admin.register(StripeRefund)
class StripeRefundAdmin(ReadOnlyAdmin):
    list_display = ["payment", "amount", "state", "stripe_refund_id", "requested_by", "created_at"]
    list_filter = ["state"]
    search_fields = ["payment__order__number", "stripe_refund_id"]
