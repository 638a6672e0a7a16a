"""Staff admin for batches and their records. Stock-changing steps go through the services (actions);
events of a batch that has left draft are read-only here as everywhere (corrections are new events)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from traceability import anchors, gates, services
from traceability.models import (
    ApiToken,
    Batch,
    BatchImport,
    BatchInput,
    ComplianceCertificate,
    FarmInput,
    Inspection,
    InspectionItem,
    TraceEvent,
)


class BatchInputInline(admin.TabularInline):
    model = BatchInput
    fk_name = "output"
    extra = 0
    raw_id_fields = ["input"]

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status == Batch.Status.DRAFT

    has_add_permission = has_delete_permission = has_change_permission


class TraceEventInline(admin.TabularInline):
    model = TraceEvent
    extra = 0
    fields = ["sequence", "event_time", "biz_step", "disposition", "base", "place", "actor", "content_hash"]
    readonly_fields = fields
    ordering = ["sequence"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = [
        "lot_code",
        "product",
        "base",
        "status",
        "harvest_date",
        "best_before",
        "quantity",
        "quantity_remaining",
    ]
    list_filter = ["status", "unit"]
    search_fields = ["lot_code", "trace_code", "product__title", "base__name", "base__supplier__short_name"]
    raw_id_fields = ["product", "base", "created_by"]
    date_hierarchy = "harvest_date"
    inlines = [BatchInputInline, TraceEventInline]
    actions = ["verify_chains", "hold_batches", "release_batches"]
    readonly_fields = ["trace_code", "published_at", "status_changed_at", "created_at", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Batch.Status.DRAFT:
            # Quantities, status and codes of a batch on the market change only through the services.
            return [f.name for f in Batch._meta.fields if f.name not in ("notes",)]
        return [*self.readonly_fields, "status", "quantity_remaining"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == Batch.Status.DRAFT

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A staff edit (kept in the admin's log) is anchored: it is not a silent change.
        anchors.chain_anchor(obj)
        # A staff edit is a path to sale too: the gates are checked again (traceability.gates).
        gates.batch_gates_enforce(obj, by=request.user)

    @admin.action(description=_("Verify the event chain"))
    def verify_chains(self, request, queryset):
        for batch in queryset:
            report = anchors.batch_chain_check(batch)
            level = messages.SUCCESS if report.ok else messages.ERROR
            text = _("verified") if report.ok else report.reason
            self.message_user(request, f"{batch.lot_code}: {text}", level)

    @admin.action(description=_("Put on hold (off sale)"))
    def hold_batches(self, request, queryset):
        for batch in queryset:
            try:
                services.batch_hold(batch=batch, reason=str(_("Held by staff")), by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{batch.lot_code}: {' '.join(error.messages)}", messages.ERROR)

    @admin.action(description=_("Release from hold (back on sale)"))
    def release_batches(self, request, queryset):
        for batch in queryset:
            try:
                services.batch_release(batch=batch, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{batch.lot_code}: {' '.join(error.messages)}", messages.ERROR)


@admin.register(TraceEvent)
class TraceEventAdmin(admin.ModelAdmin):
    list_display = ["batch", "sequence", "biz_step", "disposition", "event_time", "where"]
    list_filter = ["biz_step", "disposition", "event_type"]
    search_fields = ["batch__lot_code", "batch__trace_code", "place", "actor"]
    raw_id_fields = ["batch", "base", "recorded_by", "inspection", "corrects"]
    readonly_fields = ["sequence", "event_id", "record_time", "previous_hash", "content_hash"]

    def has_add_permission(self, request):
        return False  # events are recorded through the portal and the services, which chain them

    def _locked(self, obj) -> bool:
        return obj is not None and obj.batch.status != Batch.Status.DRAFT

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)

    def save_model(self, request, obj, form, change):
        services.trace_event_update(
            event=obj,
            **{
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name
                in {"event_time", "disposition", "base", "place", "actor", "quantity", "details", "date_only"}
            },
        )

    def delete_model(self, request, obj):
        services.trace_event_delete(event=obj)


class InspectionItemInline(admin.TabularInline):
    model = InspectionItem
    extra = 0
    readonly_fields = ["analyte", "result", "limit", "unit", "method", "passed"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["report_number", "laboratory", "batch", "sampling_date", "passed"]
    list_filter = ["passed"]
    search_fields = ["report_number", "laboratory", "batch__lot_code"]
    raw_id_fields = ["batch", "created_by"]
    inlines = [InspectionItemInline]
    readonly_fields = ["batch", "passed", "report_file", "report_sha256", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False  # recorded through the portal: items, pass/fail, its event and any hold go together

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        anchors.chain_anchor(obj.batch)  # a staff edit, kept in the admin's log, is not a silent change
        gates.batch_gates_enforce(obj.batch, by=request.user)


@admin.register(ComplianceCertificate)
class ComplianceCertificateAdmin(admin.ModelAdmin):
    list_display = ["number", "product_name", "issuer", "issued_at", "basis"]
    search_fields = ["number", "product_name", "issuer", "batch__lot_code"]
    raw_id_fields = ["batch", "inspection", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        # Only the validity may be corrected by staff; the gates are checked again when it is.
        return [f.name for f in ComplianceCertificate._meta.fields if f.name != "valid_until"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        anchors.chain_anchor(obj.batch)  # a staff edit, kept in the admin's log, is not a silent change
        gates.batch_gates_enforce(obj.batch, by=request.user)

    def has_add_permission(self, request):
        return False


@admin.register(FarmInput)
class FarmInputAdmin(admin.ModelAdmin):
    list_display = ["applied_on", "name", "kind", "base", "product", "pre_harvest_interval_days"]
    list_filter = ["kind"]
    search_fields = ["name", "base__name"]
    raw_id_fields = ["base", "product", "recorded_by"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # An input recorded or corrected by staff holds the batches its interval covers.
        services.farm_input_gates_enforce(farm_input=obj, by=request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "supplier", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "supplier__short_name", "prefix"]
    readonly_fields = ["supplier", "prefix", "key_hash", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # keys are created in the portal, where the key is shown once


@admin.register(BatchImport)
class BatchImportAdmin(admin.ModelAdmin):
    """Uploaded batch sheets as records: state, progress and problems (read only; workers write them)."""

    list_display = [
        "file_name",
        "supplier",
        "status",
        "rows_checked",
        "rows_total",
        "created_count",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["file_name", "supplier__short_name"]
    list_select_related = ["supplier"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
