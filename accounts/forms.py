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
