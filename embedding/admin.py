from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from embedding import services
from embedding.models import EmbedSite, SsoIdentity


@admin.register(EmbedSite)
class EmbedSiteAdmin(admin.ModelAdmin):
    list_display = ["origin", "name", "moderation", "active", "created_at"]
    list_filter = ["active", "moderation"]
    search_fields = ["origin", "name"]
    readonly_fields = ["sso_secret", "created_at"]
    actions = ["rotate_secret"]

    def save_model(self, request, obj, form, change):
        if change and "moderation" in form.changed_data:
            # The site's pages take the new policy too (one service, as the command).
            moved = services.embed_site_moderation_set(site=obj, moderation=obj.moderation)
            text = ngettext("%(n)d page now uses it.", "%(n)d pages now use it.", moved)
            self.message_user(request, text % {"n": moved})
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Give a new single sign-on secret"), permissions=["change"])
    def rotate_secret(self, request, queryset):
        for site in queryset:
            services.embed_site_rotate(site=site)
        self.message_user(
            request, _("New secrets: read them on each site's page."), messages.SUCCESS
        )


@admin.register(SsoIdentity)
class SsoIdentityAdmin(admin.ModelAdmin):
    list_display = ["sub", "site", "user", "created_at", "last_login_at"]
    list_filter = ["site"]
    search_fields = ["sub", "user__display_name"]
    raw_id_fields = ["user"]
    readonly_fields = ["site", "sub", "user", "email", "avatar", "created_at", "last_login_at"]
