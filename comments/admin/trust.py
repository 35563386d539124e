"""A moderator's word on an author (``AuthorTrust``): trusted, or always reviewed.

The desk and the API set it from a comment (``moderation.author_trust_set``); here
moderators list, find and change the marks, or make one by hand for an account or a
guest's address. Every change is written to the audit log, as from the admin."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_permission_codename, get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.ratelimit import canonical_email
from comments import services
from comments.models import AuthorTrust, ModerationLog

_LOG_REASONS = {AuthorTrust.Level.TRUSTED: "trusted", AuthorTrust.Level.REVIEW: "always review"}


class AuthorTrustForm(forms.ModelForm):
    class Meta:
        model = AuthorTrust
        fields = ["user", "email", "level", "note"]
        help_texts = {
            "user": _("An account, or leave empty and give a guest's email."),
            "email": _(
                "A guest's address: every spelling of the mailbox (case, +tags, "
                "Gmail's dots) is the same guest."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        user, email = cleaned.get("user"), canonical_email(cleaned.get("email") or "")
        if bool(user) == bool(email):
            raise forms.ValidationError(_("Give either an account or a guest's email, not both."))
        cleaned["email"] = email
        return cleaned


@admin.register(AuthorTrust)
class AuthorTrustAdmin(admin.ModelAdmin):
    form = AuthorTrustForm
    list_display = ["author", "level", "note", "set_by", "set_at"]
    list_filter = ["level", ("user", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "set_by"]
    search_fields = ["email", "user__username", "user__display_name", "user__email", "note"]
    search_help_text = "A guest's email, an account's name, or words of the note."
    raw_id_fields = ["user"]
    fields = ["user", "email", "level", "note", "set_by", "set_at"]
    readonly_fields = ["set_by", "set_at"]
    ordering = ["-set_at", "-pk"]

    # --- Permissions: the model's, and moderating comments ------------------------------
    def has_add_permission(self, request):
        return services.can_moderate(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return services.can_moderate(request.user) and allowed

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return services.can_moderate(request.user) and allowed

    def get_search_fields(self, request):
        # As on the comment list: an account's address is searched only by those who
        # may see accounts anyway (else a search tells a moderator whose it is).
        opts = get_user_model()._meta
        if request.user.has_perm(f"{opts.app_label}.{get_permission_codename('view', opts)}"):
            return self.search_fields
        return [name for name in self.search_fields if name != "user__email"]

    @admin.display(description=_("Author"), ordering="email")
    def author(self, obj):
        return str(obj.user) if obj.user_id else f"{obj.email} (guest)"

    # --- Changes, each in the audit log --------------------------------------------------
    def save_model(self, request, obj, form, change):
        obj.set_by, obj.set_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)
        self._log(request, obj, _LOG_REASONS.get(obj.level, obj.level))

    def delete_model(self, request, obj):
        self._log(request, obj, "cleared")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("user"):
            self._log(request, obj, "cleared")
        super().delete_queryset(request, queryset)

    def _log(self, request, obj, what: str) -> None:
        author = str(obj.user) if obj.user_id else obj.email
        note = f": {obj.note}" if obj.note and what != "cleared" else ""
        ModerationLog.objects.create(
            action=ModerationLog.Action.TRUST,
            actor=request.user,
            actor_name=ModerationLog.name_of(request.user),
            screen=ModerationLog.Screen.ADMIN,
            reason=f"{what} ({author}){note}"[:300],
        )
