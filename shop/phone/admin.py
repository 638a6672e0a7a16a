"""Django admin: verified numbers (staff may remove one, e.g. a number that changed hands) and the
codes sent (read only; the code itself is never stored)."""

from django.contrib import admin

from .models import GuestOrderMobile, OneTimeCode, VerifiedMobile


@admin.register(VerifiedMobile)
class VerifiedMobileAdmin(admin.ModelAdmin):
    list_display = ("number", "user", "verified_at")
    search_fields = ("number", "user__username", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("verified_at",)


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(admin.ModelAdmin):
    list_display = ("number", "purpose", "network", "created_at", "expires_at", "attempts", "used_at")
    list_filter = ("purpose",)
    search_fields = ("number", "network")
    date_hierarchy = "created_at"
    exclude = ("code_hash",)
    readonly_fields = ("number", "purpose", "network", "created_at", "expires_at", "attempts", "used_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GuestOrderMobile)
class GuestOrderMobileAdmin(admin.ModelAdmin):
    list_display = ("order", "number", "verified_at")
    search_fields = ("number", "order__number")
    raw_id_fields = ("order",)
    readonly_fields = ("verified_at",)
