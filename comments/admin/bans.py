"""Bans and blocked words."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments import bans as ban_service
from comments import rules_cache
from comments.admin.filters import BanActiveFilter
from comments.models import Ban, BlockedWord


class BanForm(forms.ModelForm):
    class Meta:
        model = Ban
        fields = ["kind", "user", "email", "domain", "network", "reason", "expires_at"]

    def _post_clean(self):
        # Ban.clean looks its target field up by kind; with no valid kind, the form's
        # own "required" error is the answer (not a KeyError).
        if "kind" in self._errors:
            return
        super()._post_clean()


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    form = BanForm
    list_display = ["__str__", "kind", "reason", "active", "expires_at", "created_by", "created_at"]
    list_filter = ["kind", BanActiveFilter]
    list_select_related = ["user", "created_by"]
    search_fields = ["email", "domain", "network", "user__username", "user__email", "reason"]
    raw_id_fields = ["user"]
    fields = [
        "kind",
        "user",
        "email",
        "domain",
        "network",
        "reason",
        "expires_at",
        "created_by",
        "created_at",
    ]
    actions = ["lift"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["created_by", "created_at"]
        # A ban's target is fixed; lift it and make another to ban someone else.
        return ["kind", "user", "email", "domain", "network", "created_by", "created_at"]

    @admin.display(boolean=True, description=_("Active"))
    def active(self, obj):
        return obj.is_active

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # Through the service, so the ban is logged with its moderator.
        ban = ban_service.ban_create(
            kind=obj.kind,
            by=request.user,
            user=obj.user,
            email=obj.email,
            domain=obj.domain,
            network=obj.network,
            reason=obj.reason,
            expires_at=obj.expires_at,
        )
        obj.pk, obj.created_by, obj.created_at = ban.pk, ban.created_by, ban.created_at
        obj._state.adding = False

    @admin.action(description=_("Lift selected bans now"), permissions=["change"])
    def lift(self, request, queryset):
        lifted = queryset.active().update(expires_at=timezone.now())
        rules_cache.rules_changed()  # update() sends no signal
        said = ngettext("Lifted %(count)d ban.", "Lifted %(count)d bans.", lifted)
        self.message_user(request, said % {"count": lifted}, messages.SUCCESS)


@admin.register(BlockedWord)
class BlockedWordAdmin(admin.ModelAdmin):
    list_display = ["phrase", "action", "is_active", "note", "created_at"]
    list_editable = ["action", "is_active"]
    list_filter = ["action", "is_active"]
    search_fields = ["phrase", "note"]
