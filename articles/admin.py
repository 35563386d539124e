from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Section
from articles.services import article_comments_switch
from articles.versions import articles_changed


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
        (_("Outside page"), {"fields": ["external_url"], "classes": ["collapse"]}),
        (_("Credits"), {"fields": ["credits", "source", "authors"]}),
        (
            _("Publishing"),
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
            _("Figures"),
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

    @admin.display(description=_("On site"))
    def preview_link(self, obj):
        label = gettext("View") if obj.is_public else gettext("Preview")
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

    @admin.action(description=_("Publish selected articles now"), permissions=["change"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        updated = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article.publish(at=min(article.published_at, now))
            updated += 1
        said = ngettext("Published %(count)d article.", "Published %(count)d articles.", updated)
        self.message_user(request, said % {"count": updated}, messages.SUCCESS)

    @admin.action(
        description=_("Unpublish selected articles (back to draft)"), permissions=["change"]
    )
    def unpublish(self, request, queryset):
        published = queryset.filter(status=Article.Status.PUBLISHED)
        articles_changed(published.values_list("pk", flat=True))
        updated = published.update(status=Article.Status.DRAFT, updated_at=timezone.now())
        said = ngettext(
            "Unpublished %(count)d article.", "Unpublished %(count)d articles.", updated
        )
        self.message_user(request, said % {"count": updated}, messages.SUCCESS)

    def has_comments_switch_permission(self, request) -> bool:
        """Editors who change articles, and comment moderators (who may only view them
        here): closing a conversation is the moderators' call too."""
        return self.has_change_permission(request) or request.user.has_perm(
            "comments.moderate_comment"
        )

    @admin.action(description=_("Close comments"), permissions=["comments_switch"])
    def close_comments(self, request, queryset):
        self._switch_comments(request, queryset, open=False)

    @admin.action(description=_("Reopen comments"), permissions=["comments_switch"])
    def reopen_comments(self, request, queryset):
        self._switch_comments(request, queryset, open=True)

    def _switch_comments(self, request, queryset, *, open):
        # The service writes each article's history entry (as the page and the API do).
        changed = sum(
            article_comments_switch(article=article, open=open, by=request.user, via="admin")
            for article in queryset
        )
        if open:
            said = ngettext(
                "Reopened comments on %(count)d article.",
                "Reopened comments on %(count)d articles.",
                changed,
            )
        else:
            said = ngettext(
                "Closed comments on %(count)d article.",
                "Closed comments on %(count)d articles.",
                changed,
            )
        self.message_user(request, said % {"count": changed}, messages.SUCCESS)
