"""What readers do with comments: flags, likes and thread subscriptions."""

from django.contrib import admin

from comments.models import CommentFlag, CommentLike, ThreadSubscription


@admin.register(CommentFlag)
class CommentFlagAdmin(admin.ModelAdmin):
    list_display = ["comment", "reason", "note", "voter", "created_at"]
    list_filter = ["reason", "created_at"]
    list_select_related = ["comment", "comment__article", "comment__user"]
    raw_id_fields = ["comment", "user"]


@admin.register(CommentLike)
class CommentLikeAdmin(admin.ModelAdmin):
    list_display = ["comment", "voter", "created_at"]
    raw_id_fields = ["comment"]


@admin.register(ThreadSubscription)
class ThreadSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "article", "created_at"]
    raw_id_fields = ["user", "article"]
