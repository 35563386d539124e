"""Forms for the comment pages. They only parse input; the rules live in services."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError

from comments.models import CommentFlag

# The page form carries the time it was shown, signed, so that a form sent back faster
# than a person can type is held (comments.moderation, "too_fast").
FORM_SALT = "comments.form"
# An older token proves nothing either way (a tab left open overnight, a cached page).
FORM_TOKEN_MAX_AGE = 24 * 3600

MARKDOWN_HINT = "Markdown works: *italic*, **bold**, [links](https://example.com), > quotes."


class _BodyMixin(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=settings.COMMENTS_MAX_LENGTH,
        strip=False,
        help_text=MARKDOWN_HINT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write something before posting."},
    )

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise ValidationError("Write something before posting.")
        return body


def form_token(now: float | None = None) -> str:
    """A signed timestamp of when the comment form was shown."""
    return signing.dumps(time.time() if now is None else now, salt=FORM_SALT)


def form_age(token: str | None, now: float | None = None) -> float | None:
    """Seconds since ``token`` was made; None when it is missing, forged or too old."""
    if not token or not isinstance(token, str):
        return None
    try:
        shown = float(signing.loads(token, salt=FORM_SALT, max_age=FORM_TOKEN_MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return max(0.0, (time.time() if now is None else now) - shown)


def too_fast_message(retry_after: int) -> str:
    return f"You are posting too fast. Please wait {retry_after} seconds and try again."


# Model field names that ``full_clean`` inside the service may report.
_MODEL_TO_FORM_FIELD = {"guest_name": "name", "guest_email": "email", "__all__": None}


class CommentForm(_BodyMixin):
    """What everyone posts; the guest and user forms add who they are."""

    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # The honeypot: hidden from people (off-screen, out of the tab order, hidden from
    # screen readers); bots that fill every field fill it, and their comment is spam.
    homepage = forms.CharField(
        label="Leave this field empty",
        required=False,
        strip=False,
        widget=forms.TextInput(
            attrs={"tabindex": "-1", "autocomplete": "off", "aria-hidden": "true"}
        ),
    )
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A fresh token each time the form is shown (a bound form keeps the sent one).
        self.fields["form_token"].initial = form_token()

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ``ValidationError`` on the fields it names; the rest (and
        fields the reader cannot see, such as ``parent``) at the top of the form."""
        messages = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for name, field_messages in messages.items():
            field = _MODEL_TO_FORM_FIELD.get(name, name)
            visible = field in self.fields and not self.fields[field].widget.is_hidden
            for message in field_messages:
                self.add_error(field if visible else None, message)


class GuestCommentForm(CommentForm):
    name = forms.CharField(
        label="Name",
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Tell us the name to show with your comment."},
    )
    email = forms.EmailField(
        label="Email",
        help_text="Never shown publicly.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Give an email address (it is never shown publicly)."},
    )
    notify_replies = forms.BooleanField(label="Notify me of replies by email", required=False)

    field_order = ["name", "email", "body", "notify_replies", "parent", "homepage", "form_token"]


class UserCommentForm(CommentForm):
    subscribe = forms.BooleanField(
        label="Email me about new comments in this conversation", required=False
    )

    field_order = ["body", "subscribe", "parent", "homepage", "form_token"]


def comment_form_class(user):
    return UserCommentForm if user.is_authenticated else GuestCommentForm


class CommentEditForm(_BodyMixin):
    pass


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with this comment?",
        choices=CommentFlag.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason."},
    )
    note = forms.CharField(
        label="Anything the moderators should know? (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
