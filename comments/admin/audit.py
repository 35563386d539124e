"""The moderation audit log."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from comments.admin import display
from comments.models import ModerationLog


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    """The audit log: read-only for everyone, superusers included."""

    list_display = ["created_at", "who", "action", "comment_link", "transition", "reason"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter), "created_at"]
    list_select_related = ["actor", "comment"]
    search_fields = ["reason", "actor_name"]
    search_help_text = (
        "A comment id (e.g. 42 or #42), or words of the reason or the moderator's name."
    )
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "who",
        "action",
        "comment_link",
        "from_status",
        "to_status",
        "reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            return queryset.filter(comment_id=int(term)), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("Who"), ordering="actor_name")
    def who(self, obj):
        # The name kept on the row once the moderator's account is gone, not "rules".
        return obj.who

    @admin.display(description=_("Comment"), ordering="comment")
    def comment_link(self, obj):
        if obj.comment_id is None:
            return "—"
        return format_html(
            '<a href="{}">#{}</a> {}',
            display.comment_admin_url(obj.comment_id),
            obj.comment_id,
            display.excerpt(obj.comment.body, 50),
        )

    @admin.display(description=_("From → to"))
    def transition(self, obj):
        if not (obj.from_status or obj.to_status):
            return "—"
        return f"{obj.from_status or '—'} → {obj.to_status or '—'}"
