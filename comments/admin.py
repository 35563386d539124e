from django.contrib import admin, messages
from django.utils.html import format_html

from comments import services
from comments.models import Comment, CommentFlag, CommentLike, ThreadSubscription


class CommentFlagInline(admin.TabularInline):
    model = CommentFlag
    extra = 0
    fields = ["reason", "note", "voter", "user", "ip_address", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "short_body",
        "author",
        "article",
        "status",
        "created_at",
        "like_count",
        "flag_count",
        "ip_address",
    ]
    list_filter = ["status", "created_at", ("user", admin.EmptyFieldListFilter)]
    list_select_related = ["article", "user"]
    search_fields = ["body", "guest_name", "guest_email", "user__email", "user__display_name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["article", "parent", "reply_to", "user"]
    readonly_fields = [
        "article",
        "parent",
        "reply_to",
        "path",
        "depth",
        "user",
        "guest_name",
        "guest_email",
        "ip_address",
        "user_agent",
        "created_at",
        "edited_at",
        "like_count",
        "flag_count",
        "status",
    ]
    fields = [
        "article",
        "parent",
        "reply_to",
        "user",
        "guest_name",
        "guest_email",
        "body",
        "status",
        "created_at",
        "edited_at",
        "ip_address",
        "user_agent",
        "like_count",
        "flag_count",
    ]
    inlines = [CommentFlagInline]
    actions = ["approve", "mark_spam", "reject", "delete_comments"]

    @admin.display(description="Comment")
    def short_body(self, obj):
        return obj.body[:80] + ("…" if len(obj.body) > 80 else "")

    @admin.display(description="Author")
    def author(self, obj):
        if obj.user_id:
            return obj.author_name
        return format_html("{} <small>(guest, {})</small>", obj.guest_name, obj.guest_email)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Removing rows would bypass the article's comment count; "delete" is a status.
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def save_model(self, request, obj, form, change):
        if change and "body" in form.changed_data:
            services.comment_edit(comment=obj, body=form.cleaned_data["body"])
        # Status and counters only change through the actions below (the services).

    def _move(self, request, queryset, status, label):
        moved = 0
        for comment in queryset.exclude(status=status):
            services.comment_set_status(comment=comment, status=status, by=request.user)
            moved += 1
        self.message_user(request, f"{label} {moved} comment(s).", messages.SUCCESS)

    @admin.action(description="Approve selected comments", permissions=["moderate"])
    def approve(self, request, queryset):
        self._move(request, queryset, Comment.Status.APPROVED, "Approved")

    @admin.action(description="Mark selected comments as spam", permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._move(request, queryset, Comment.Status.SPAM, "Marked as spam")

    @admin.action(description="Reject selected comments", permissions=["moderate"])
    def reject(self, request, queryset):
        self._move(request, queryset, Comment.Status.REJECTED, "Rejected")

    @admin.action(description="Delete selected comments (keeps threads)", permissions=["moderate"])
    def delete_comments(self, request, queryset):
        self._move(request, queryset, Comment.Status.DELETED, "Deleted")


@admin.register(CommentFlag)
class CommentFlagAdmin(admin.ModelAdmin):
    list_display = ["comment", "reason", "note", "voter", "created_at"]
    list_filter = ["reason", "created_at"]
    list_select_related = ["comment", "comment__article"]
    raw_id_fields = ["comment", "user"]


@admin.register(CommentLike)
class CommentLikeAdmin(admin.ModelAdmin):
    list_display = ["comment", "voter", "created_at"]
    raw_id_fields = ["comment"]


@admin.register(ThreadSubscription)
class ThreadSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "article", "created_at"]
    raw_id_fields = ["user", "article"]
