"""Django admin: the outbox, so staff see side effects that were given up, with their error."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.models import OutboxMessage
from core.outbox import outbox_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "key", "state", "attempts", "next_attempt_at", "short_error")
    list_filter = ("state", "kind")
    search_fields = ("key",)
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
    actions = ["try_again"]

    @admin.display(description=_("last error"))
    def short_error(self, message):
        return message.last_error[:120]

    @admin.action(description=_("Try again"), permissions=["change"])
    def try_again(self, request, queryset):
        count = outbox_retry(message_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
