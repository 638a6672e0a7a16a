"""Django admin for correcting data and for assigning channel managers to channels. Status decisions
and price lists are not made here: they go through the channel managers' desk (/shop/channels/),
whose services keep the history and the price books' versions."""

from django.contrib import admin

from channels.models import (
    AssistancePledge,
    Delivery,
    DeliverySite,
    Invitation,
    ManagerAssignment,
    Membership,
    Organisation,
    OrganisationOrder,
    OrganisationStatusChange,
    PriceList,
    PriceListEntry,
)


class DeliverySiteInline(admin.TabularInline):
    model = DeliverySite
    extra = 0
    fields = ["name", "district", "address", "contact_name", "phone", "is_active"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role"]
    raw_id_fields = ["user"]


class StatusChangeInline(admin.TabularInline):
    model = OrganisationStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["old_status", "new_status", "changed_by", "changed_at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


class PledgeInline(admin.TabularInline):
    """The yearly pledges, read only: the organisation's administrator sets them on its pages."""

    model = AssistancePledge
    extra = 0
    can_delete = False
    readonly_fields = ["year", "amount", "set_by", "set_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "status", "uscc", "payment_mode", "created_at"]
    list_filter = ["channel", "status", "payment_mode"]
    search_fields = ["name", "short_name", "uscc"]
    readonly_fields = ["status", "status_changed_at", "status_changed_by", "status_reason", "applicant"]
    inlines = [MembershipInline, DeliverySiteInline, StatusChangeInline, PledgeInline]


@admin.register(ManagerAssignment)
class ManagerAssignmentAdmin(admin.ModelAdmin):
    """Who manages which channel (the user also needs the "Channel managers" group)."""

    list_display = ["user", "channel", "created_at"]
    list_filter = ["channel"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "sent_at", "accepted_at", "revoked_at"]
    search_fields = ["email", "organisation__name"]
    readonly_fields = ["organisation", "email", "role", "created_by", "created_at", "expires_at", "sent_at"]
    exclude = ["nonce"]


class EntryInline(admin.TabularInline):
    model = PriceListEntry
    extra = 0
    fields = ["product", "price", "moq", "case_size", "valid_from", "valid_until"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    """Read only: lists are imported on the desk, which bumps their revision."""

    list_display = ["__str__", "channel", "organisation", "revision", "updated_at"]
    list_filter = ["channel"]
    readonly_fields = ["channel", "organisation", "revision", "updated_at", "updated_by"]
    inlines = [EntryInline]

    def has_add_permission(self, request):
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ["site", "date", "status", "delivered_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OrganisationOrder)
class OrganisationOrderAdmin(admin.ModelAdmin):
    list_display = ["order", "organisation", "po_number", "source", "placed_by", "created_at"]
    list_filter = ["organisation__channel", "source"]
    search_fields = ["order__number", "po_number", "organisation__name"]
    readonly_fields = ["order", "organisation", "placed_by", "source", "po_number", "note", "created_at"]
    inlines = [DeliveryInline]


# Payment terms on account (issue 13, part 5), read-only.
from channels import accounts_admin  # noqa: E402, F401

# --- Standing deliveries and delivery documents (issue 13, parts 6 and 7) ---
from channels.models import GeneratedDocument, StandingOrder, StandingOrderLine, StandingRun  # noqa: E402


class StandingOrderLineInline(admin.TabularInline):
    model = StandingOrderLine
    raw_id_fields = ["product"]
    extra = 0


@admin.register(StandingOrder)
class StandingOrderAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "site", "starts_on", "ends_on", "paused_at"]
    list_filter = ["organisation__channel"]
    search_fields = ["name", "organisation__name", "organisation__short_name"]
    raw_id_fields = ["organisation", "site", "created_by"]
    inlines = [StandingOrderLineInline]


@admin.register(StandingRun)
class StandingRunAdmin(admin.ModelAdmin):
    list_display = ["standing_order", "date", "status", "attempts", "updated_at"]
    list_filter = ["status"]
    raw_id_fields = ["standing_order", "organisation_order"]


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(admin.ModelAdmin):
    list_display = ["kind", "organisation", "delivery", "month", "state", "created_at"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["organisation", "delivery", "requested_by"]
    readonly_fields = ["file", "error"]
