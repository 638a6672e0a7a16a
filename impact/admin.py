"""Staff record the households each supplier declares (the figure "households reached" counts them)."""

from django.contrib import admin

from impact.models import SupplierHouseholdDeclaration


@admin.register(SupplierHouseholdDeclaration)
class SupplierHouseholdDeclarationAdmin(admin.ModelAdmin):
    list_display = ["supplier", "year", "households", "created_at"]
    list_filter = ["year"]
    search_fields = ["supplier__legal_name", "supplier__short_name"]
    raw_id_fields = ["supplier"]
    ordering = ["-year", "supplier"]
