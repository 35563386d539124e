from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from articles.cache import articles_changed
from articles.models import Article, Section
from articles.services import article_comments_switch


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "section",
        "status",
        "published_at",
        "comments_open",
        "ratings_enabled",
        "comment_count",
        "preview_link",
    ]
    list_filter = [
        "status",
        "section",
        "language",
        "comments_open",
        "ratings_enabled",
        "published_at",
    ]
    list_select_related = ["section"]
    search_fields = ["title", "standfirst", "body", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    readonly_fields = [
        "comment_count",
        "rating_count",
        "rating_sum",
        "created_at",
        "updated_at",
        "comments_closed_at",
    ]
    actions = ["publish_now", "unpublish", "close_comments", "reopen_comments"]
    filter_horizontal = ["authors"]
    fieldsets = [
        (
            None,
            {"fields": ["section", "title", "slug", "language", "standfirst", "dateline", "body"]},
        ),
        ("Outside page", {"fields": ["external_url"], "classes": ["collapse"]}),
        ("Credits", {"fields": ["credits", "source", "authors"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "comments_open",
                    "comments_closed_at",
                    "comments_close_after_days",
                    "comment_moderation",
                    "ratings_enabled",
                ]
            },
        ),
        (
            "Figures",
            {
                "classes": ["collapse"],
                "fields": [
                    "comment_count",
                    "rating_count",
                    "rating_sum",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]

    @admin.display(description="On site")
    def preview_link(self, obj):
        label = "View" if obj.is_public else "Preview"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), label
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif "comments_open" in form.changed_data:
            # The closed notice says since when ("Comments were closed ... on 3 Dec").
            obj.comments_closed_at = None if obj.comments_open else timezone.now()
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish selected articles now", permissions=["change"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        updated = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article.publish(at=min(article.published_at, now))
            updated += 1
        self.message_user(request, f"Published {updated} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        published = queryset.filter(status=Article.Status.PUBLISHED)
        articles_changed(published.values_list("pk", flat=True))
        updated = published.update(status=Article.Status.DRAFT, updated_at=timezone.now())
        self.message_user(request, f"Unpublished {updated} article(s).", messages.SUCCESS)

    def has_comments_switch_permission(self, request) -> bool:
        """Editors who change articles, and comment moderators (who may only view them
        here): closing a conversation is the moderators' call too."""
        return self.has_change_permission(request) or request.user.has_perm(
            "comments.moderate_comment"
        )

    @admin.action(description="Close comments", permissions=["comments_switch"])
    def close_comments(self, request, queryset):
        self._switch_comments(request, queryset, open=False)

    @admin.action(description="Reopen comments", permissions=["comments_switch"])
    def reopen_comments(self, request, queryset):
        self._switch_comments(request, queryset, open=True)

    def _switch_comments(self, request, queryset, *, open):
        # The service writes each article's history entry (as the page and the API do).
        changed = sum(
            article_comments_switch(article=article, open=open, by=request.user, via="admin")
            for article in queryset
        )
        done = "Reopened" if open else "Closed"
        self.message_user(request, f"{done} comments on {changed} article(s).", messages.SUCCESS)
