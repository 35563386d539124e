"""The comment emails waiting in the outbox."""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments import outbox as outbox_service
from comments.admin import display
from comments.models import OutboxMessage


class OutboxStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("unsent", "Waiting"), ("failed", "Given up"), ("sent", "Sent")]

    def queryset(self, request, queryset):
        given_up = Q(sent_at__isnull=True, attempts__gte=outbox_service.OUTBOX_MAX_ATTEMPTS)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "failed":
            return queryset.filter(given_up)
        if self.value() == "unsent":
            return queryset.filter(sent_at__isnull=True).exclude(given_up)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Comment emails waiting in the outbox: what a broker or mail-server outage left
    behind, and a way to send what gave up again once the cause is fixed."""

    list_display = ["id", "kind", "comment_link", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = [OutboxStateFilter, "kind"]
    list_select_related = ["comment"]
    date_hierarchy = "created_at"
    fields = ["kind", "comment_link", "created_at", "available_at", "sent_at", "attempts"]
    fields += ["last_error"]
    readonly_fields = fields
    actions = ["retry_now"]

    @admin.display(description=_("comment"))
    def comment_link(self, obj):
        return format_html(
            '<a href="{}">#{}</a>', display.comment_admin_url(obj.comment_id), obj.comment_id
        )

    @admin.action(description=_("Send again now"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = outbox_service.outbox_retry(message_ids=list(queryset.values_list("pk", flat=True)))
        outbox_service.outbox_drain()
        said = ngettext(
            "%(count)d message queued again.", "%(count)d messages queued again.", count
        )
        self.message_user(request, said % {"count": count}, messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
