"""Django admin views of payment terms on account, read-only: invoices, payments, statements and
fapiao requests change only through the desk's services (credit and overpayment checks, history)."""

from django.contrib import admin

from channels.models import FapiaoRequest, Invoice, InvoiceLine, InvoicePayment, Statement


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    fields = ["description", "sku", "quantity", "unit_price", "amount", "tax_rate", "tax_amount"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class InvoicePaymentInline(admin.TabularInline):
    model = InvoicePayment
    extra = 0
    fields = ["paid_on", "amount", "method", "reference", "recorded_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "organisation", "issued_on", "due_on", "amount", "amount_paid", "status"]
    list_filter = ["status", "organisation__channel"]
    search_fields = ["number", "order__number", "organisation__name"]
    date_hierarchy = "issued_on"
    inlines = [InvoiceLineInline, InvoicePaymentInline]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "month", "state", "closing_balance", "generated_at"]
    list_filter = ["state"]


@admin.register(FapiaoRequest)
class FapiaoRequestAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "organisation", "amount", "status", "fapiao_number", "requested_at"]
    list_filter = ["status"]
    search_fields = ["invoice__number", "fapiao_number", "organisation__name", "tax_number"]
