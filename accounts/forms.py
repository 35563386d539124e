from django import forms

from accounts.models import User


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label="Display name",
        max_length=80,
        strip=True,
        help_text="Shown next to your comments.",
        error_messages={"required": "Enter the name to show next to your comments."},
    )
    notify_replies = forms.BooleanField(
        label=User._meta.get_field("notify_replies").verbose_name.capitalize(),
        required=False,
    )


class AccountDeleteForm(forms.Form):
    """The reader confirms deleting their account with their password."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to delete your account."},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.has_usable_password():
            raise forms.ValidationError(
                "Your account has no password. Set one first, then come back here."
            )
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password. Nothing was deleted.")
        return password
