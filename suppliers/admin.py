"""Django admin for correcting data. Status decisions are not made here: they go through the staff
review in the dashboard (/shop/dashboard/suppliers/), which calls the services and keeps the history."""

from django.contrib import admin

from suppliers.models import (
    ApplicationUsage,
    BasePhoto,
    Certification,
    CertificationReminder,
    ProductionBase,
    Supplier,
    SupplierDocument,
    SupplierStatusChange,
)


class ProductionBaseInline(admin.TabularInline):
    model = ProductionBase
    extra = 0
    fields = ["name", "county", "township", "latitude", "longitude", "area_mu", "altitude_m"]
    show_change_link = True


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0
    fields = ["kind", "name", "number", "issuer", "valid_from", "valid_until", "scan"]


class SupplierDocumentInline(admin.TabularInline):
    model = SupplierDocument
    extra = 0


class StatusChangeInline(admin.TabularInline):
    model = SupplierStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["old_status", "new_status", "changed_by", "changed_at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "kind", "county", "status", "uscc", "created_at"]
    list_filter = ["status", "kind", "county", "formerly_poor_county"]
    search_fields = ["legal_name", "short_name", "uscc", "partner__code"]
    readonly_fields = ["partner", "slug", "status", "status_changed_at", "status_changed_by", "status_reason"]
    inlines = [ProductionBaseInline, CertificationInline, SupplierDocumentInline, StatusChangeInline]


class BasePhotoInline(admin.TabularInline):
    model = BasePhoto
    extra = 0


@admin.register(ProductionBase)
class ProductionBaseAdmin(admin.ModelAdmin):
    list_display = ["name", "supplier", "county", "township", "area_mu", "in_water_source_protection_area"]
    list_filter = ["county", "in_water_source_protection_area"]
    search_fields = ["name", "township", "supplier__legal_name"]
    list_select_related = ["supplier"]
    inlines = [BasePhotoInline]


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["supplier", "kind", "number", "issuer", "valid_from", "valid_until"]
    list_filter = ["kind"]
    search_fields = ["number", "supplier__legal_name"]
    list_select_related = ["supplier"]
    date_hierarchy = "valid_until"


@admin.register(CertificationReminder)
class CertificationReminderAdmin(admin.ModelAdmin):
    list_display = ["certification", "threshold_days", "valid_until", "sent_to", "sent_at"]
    readonly_fields = ["certification", "threshold_days", "valid_until", "sent_to", "sent_at"]


@admin.register(ApplicationUsage)
class ApplicationUsageAdmin(admin.ModelAdmin):
    """Today's counts of the anonymous-application allowance; deleting a row lets that network apply again."""

    list_display = ["network", "day", "applications", "bytes_uploaded"]
    search_fields = ["network"]
    readonly_fields = ["network", "day", "applications", "bytes_uploaded"]

    def has_add_permission(self, request):
        return False
