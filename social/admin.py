from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from social.models import SocialPost, SocialSource
from social.services import social_fetch


class _HttpsUrlsAdmin(admin.ModelAdmin):
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            # A URL typed without a scheme is https (Django 6's default too).
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(SocialSource)
class SocialSourceAdmin(_HttpsUrlsAdmin):
    list_display = [
        "name",
        "kind",
        "label",
        "is_active",
        "post_count",
        "last_fetched_at",
        "last_status",
        "consecutive_failures",
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "label", "feed_url"]
    readonly_fields = ["last_fetched_at", "last_status", "consecutive_failures"]
    fields = [
        "name",
        "kind",
        "feed_url",
        "label",
        "profile_url",
        "is_active",
        *readonly_fields,
    ]
    actions = ["fetch_now"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "feed_url":
            # SocialSource.clean() refuses the rest with a clear message.
            kwargs["help_text"] = _(
                "RSS or Atom; http(s) only, from a public address (never this server or "
                "the internal network)."
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("posts"))

    @admin.display(description=_("posts"), ordering="post_count")
    def post_count(self, obj):
        return obj.post_count

    @admin.action(description=_("Fetch now"), permissions=["change"])
    def fetch_now(self, request, queryset):
        feeds = queryset.filter(kind=SocialSource.Kind.FEED)
        skipped = queryset.count() - feeds.count()
        for result in (social_fetch(source=source) for source in feeds):
            if result.ok:
                said = ngettext(
                    "%(source)s: %(count)d new post.",
                    "%(source)s: %(count)d new posts.",
                    result.created,
                )
                self.message_user(
                    request, said % {"source": result.source, "count": result.created}
                )
            else:
                self.message_user(request, f"{result.source}: {result.error}", messages.ERROR)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d manual source skipped: nothing to fetch.",
                    "%(count)d manual sources skipped: nothing to fetch.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(SocialPost)
class SocialPostAdmin(_HttpsUrlsAdmin):
    list_display = ["__str__", "source", "published_at", "is_visible"]
    list_editable = ["is_visible"]
    list_filter = ["is_visible", "source", "published_at"]
    list_select_related = ["source"]
    search_fields = ["text", "url"]
    date_hierarchy = "published_at"
    ordering = ["-published_at", "-id"]
    readonly_fields = ["guid", "created_at"]
    fields = ["source", "text", "url", "published_at", "is_visible", "guid", "created_at"]
    actions = ["show", "hide"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 4, "maxlength": 1000})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.action(description=_("Show selected posts in the box"), permissions=["change"])
    def show(self, request, queryset):
        self._set_visible(request, queryset, True)

    @admin.action(description=_("Hide selected posts"), permissions=["change"])
    def hide(self, request, queryset):
        self._set_visible(request, queryset, False)

    def _set_visible(self, request, queryset, visible: bool):
        # save() per post rather than update(): the box's cache listens to post_save.
        for post in queryset:
            post.is_visible = visible
            post.save(update_fields=["is_visible"])
        said = ngettext("%(count)d post updated.", "%(count)d posts updated.", len(queryset))
        self.message_user(request, said % {"count": len(queryset)})
