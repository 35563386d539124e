"""Forms for the comment pages. They only parse input; the rules live in services."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from comments.models import CommentFlag

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


# Model field names that ``full_clean`` inside the service may report.
_MODEL_TO_FORM_FIELD = {"guest_name": "name", "guest_email": "email", "__all__": None}


class CommentForm(_BodyMixin):
    """What everyone posts; the guest and user forms add who they are."""

    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

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

    field_order = ["name", "email", "body", "notify_replies", "parent"]


class UserCommentForm(CommentForm):
    subscribe = forms.BooleanField(
        label="Email me about new comments in this conversation", required=False
    )

    field_order = ["body", "subscribe", "parent"]


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
