from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        strip=True,
        help_text=_("Shown next to your comments."),
        error_messages={"required": _("Enter the name to show next to your comments.")},
    )
    notify_replies = forms.BooleanField(
        label=capfirst(User._meta.get_field("notify_replies").verbose_name),
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("As my browser says")), *settings.LANGUAGES],
        required=False,
        help_text=_("Pages and emails for you are written in this language."),
    )


class AccountDeleteForm(forms.Form):
    """The reader confirms deleting their account with their password."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password to delete your account.")},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.has_usable_password():
            raise forms.ValidationError(
                _("Your account has no password. Set one first, then come back here.")
            )
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password. Nothing was deleted."))
        return password
