"""Forms for the comment pages. They only parse input; the rules live in services."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from articles.ratelimit import RateLimited
from articles.validators import DeliverableEmailField
from comments import attachments
from comments.location import NAME_MAX
from comments.models import CommentFlag
from comments.services import KEEP

# The page form carries the time it was shown, signed, so that a form sent back faster
# than a person can type is held (comments.moderation, "too_fast").
FORM_SALT = "comments.form"
# An older token proves nothing either way (a tab left open overnight, a cached page).
FORM_TOKEN_MAX_AGE = 24 * 3600

MARKDOWN_HINT = _("Markdown works: *italic*, **bold**, [links](https://example.com), > quotes.")


class _BodyMixin(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=settings.COMMENTS_MAX_LENGTH,
        strip=False,
        help_text=MARKDOWN_HINT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write something before posting.")},
    )

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise ValidationError(_("Write something before posting."))
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
    return ngettext(
        "You are posting too fast. Please wait %(seconds)s second and try again.",
        "You are posting too fast. Please wait %(seconds)s seconds and try again.",
        retry_after,
    ) % {"seconds": retry_after}


# Model field names that ``full_clean`` inside the service may report; a bad location
# is shown on the place name, the one location input everybody sees.
_MODEL_TO_FORM_FIELD = {
    "guest_name": "name",
    "guest_email": "email",
    "location": "location_name",
    "latitude": "location_name",
    "longitude": "location_name",
    # ``TooManyAttachments`` and ``attachments.prepare`` speak of "file".
    "file": "attachments",
    "__all__": None,
}

# _("No rating") comes last, so the arrow keys go 1 → 5 stars → none → 1.
STAR_CHOICES = [
    (n, ngettext_lazy("%(count)s star", "%(count)s stars", "count") % {"count": n})
    for n in range(1, 6)
] + [("", _("No rating"))]
RATING_ERROR = _("Choose from 1 to 5 stars.")


class _ServiceErrorsMixin(forms.Form):
    def _shows(self, field: str | None) -> bool:
        return field in self.fields and not self.fields[field].widget.is_hidden

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ``ValidationError`` on the fields it names; the rest (and
        fields the reader cannot see, such as ``parent``) at the top of the form."""
        messages = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for name, field_messages in messages.items():
            field = _MODEL_TO_FORM_FIELD.get(name, name)
            for message in field_messages:
                self.add_error(field if self._shows(field) else None, message)


def _place_name_field() -> forms.CharField:
    return forms.CharField(
        label=_("Place name"),
        max_length=NAME_MAX,
        required=False,
        help_text=_("Optional, e.g. “Lyon, France”. Shown with your comment."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class _LocationMixin(forms.Form):
    """ "Share Your Location": a place name anybody can type, and the coordinates the
    "Use my location" button (JavaScript) fills. ``comments.location`` checks and
    coarsens them; this only collects them."""

    location_name = _place_name_field()
    latitude = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    location_precise = forms.BooleanField(
        label=_("Share my precise location (otherwise rounded to about 1 km)"), required=False
    )

    def location(self) -> dict | None:
        """The service's ``location`` argument; None when nothing was given."""
        data = self.cleaned_data
        name = data.get("location_name", "").strip()
        latitude = data.get("latitude", "").strip()
        longitude = data.get("longitude", "").strip()
        if not (name or latitude or longitude):
            return None
        return {
            "name": name,
            "latitude": latitude or None,
            "longitude": longitude or None,
            "precise": bool(data.get("location_precise")),
        }


# What the file pickers offer; ``comments.attachments`` decides by content, whatever the
# name or the browser's type says.
ATTACHMENT_ACCEPT = "image/jpeg,image/png,image/gif,image/webp,application/pdf,text/plain"
CHOOSE_AGAIN = _("Please choose your files again.")


class MultipleFileInput(forms.FileInput):
    """Several ``<input type="file">`` of one name (the template draws them); the value
    is the list of files sent."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = []
        for item in data or []:
            files.append(super().clean(item))
        return files


class _AttachmentsMixin(forms.Form):
    """Files sent with the form, checked by content (``comments.attachments.prepare``).

    ``cleaned_data["attachments"]`` is the list of prepared files, ready for the
    services. A file over the size limit sets ``too_large`` (the view answers 413).
    Browsers never send a file input back filled in, so after any error the reader is
    asked to choose their files again.

    ``count_uploads(n)`` (from the view) counts the files against the upload rate
    limit before any is read or decoded, raising ``RateLimited``: a limited client
    costs no decoding. ``error_status`` and ``retry_after`` say how to answer.
    """

    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
    )

    too_large = False
    # 429 (rate limited) or 503 (no image decoder free), with seconds to wait.
    files_refused_status: int | None = None
    retry_after: int | None = None

    def __init__(self, *args, count_uploads=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_uploads = count_uploads

    @property
    def error_status(self) -> int:
        """The HTTP status for this form refused."""
        return self.files_refused_status or (413 if self.too_large else 400)

    def _refuse_files(self, status: int, retry_after: int, message: str) -> list:
        self.files_refused_status, self.retry_after = status, retry_after
        self.add_error(None, message)
        return []

    def attachment_room(self) -> int:
        """How many more files this form may add."""
        return settings.COMMENTS_MAX_ATTACHMENTS

    @property
    def attachment_cap(self) -> int:
        return settings.COMMENTS_MAX_ATTACHMENTS

    @property
    def attachment_slots(self) -> range:
        """The plain file inputs to draw (numbered from 1)."""
        return range(1, settings.COMMENTS_MAX_ATTACHMENTS + 1)

    @property
    def attachment_max_bytes(self) -> int:
        return settings.COMMENTS_ATTACHMENT_MAX_BYTES

    @property
    def attachment_max_mb(self) -> int:
        return max(1, settings.COMMENTS_ATTACHMENT_MAX_BYTES // (1024 * 1024))

    @property
    def attachment_help(self) -> str:
        return gettext(
            "JPEG, PNG, GIF or WebP images, PDFs or plain-text files, up to %(mb)s MB each."
        ) % {"mb": self.attachment_max_mb}

    @property
    def attachment_accept(self) -> str:
        return ATTACHMENT_ACCEPT

    @property
    def attachment_not_allowed(self) -> str:
        """The server's words for a refused type, for the picker's early warning."""
        return attachments.NOT_ALLOWED

    @property
    def attachment_too_large(self) -> str:
        return str(attachments.FileTooLarge())

    @property
    def files_were_sent(self) -> bool:
        return bool(
            self.is_bound and self.files and self.files.getlist(self.add_prefix("attachments"))
        )

    def too_many_message(self) -> str:
        return attachments.too_many_message()

    def clean_attachments(self):
        uploads = self.cleaned_data.get("attachments") or []
        if len(uploads) > self.attachment_room():
            raise ValidationError(self.too_many_message())
        if uploads and self.count_uploads is not None:
            try:
                self.count_uploads(len(uploads))
            except RateLimited as exc:
                message = too_fast_message(exc.retry_after)
                return self._refuse_files(429, exc.retry_after, message)
        prepared, errors = [], []
        for upload in uploads:
            try:
                prepared.append(attachments.prepare(upload))
            except attachments.DecodeBusy as exc:
                return self._refuse_files(503, exc.retry_after, str(exc))
            except attachments.FileTooLarge as exc:
                self.too_large = True
                reason = {"name": upload.name, "reason": exc}
                errors.append(gettext("%(name)s is too large. %(reason)s") % reason)
            except ValidationError as exc:
                messages = exc.message_dict.get("file", exc.messages)
                errors.extend(
                    gettext("%(name)s: %(reason)s") % {"name": upload.name, "reason": message}
                    for message in messages
                )
        if errors:
            raise ValidationError(errors)
        return prepared


class CommentForm(_ServiceErrorsMixin, _AttachmentsMixin, _LocationMixin, _BodyMixin):
    """What everyone posts; the guest and user forms add who they are."""

    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # The honeypot: hidden from people (off-screen, out of the tab order, hidden from
    # screen readers); bots that fill every field fill it, and their comment is spam.
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        strip=False,
        widget=forms.TextInput(
            attrs={"tabindex": "-1", "autocomplete": "off", "aria-hidden": "true"}
        ),
    )
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)
    # The poster's stars for the article (their vote). Offered only where the article
    # takes ratings; a rating sent anyway is refused by the service, with a message.
    rating = forms.TypedChoiceField(
        label=_("Rate this post:"),
        choices=STAR_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": RATING_ERROR},
    )

    def __init__(self, *args, ratings_enabled: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.ratings_enabled = ratings_enabled
        # A fresh token each time the form is shown (a bound form keeps the sent one).
        self.fields["form_token"].initial = form_token()

    def clean(self):
        cleaned = super().clean()
        # The stars are not on the page when ratings are off: say so at the top.
        if not self.ratings_enabled and "rating" in self.errors:
            for message in self.errors.pop("rating"):
                self.add_error(None, message)
        return cleaned

    def _shows(self, field: str | None) -> bool:
        if field == "rating":
            return self.ratings_enabled
        return super()._shows(field)


class GuestCommentForm(CommentForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Tell us the name to show with your comment.")},
    )
    # Checked the way it will be sent (issue 16: "one bad address blocks mail").
    email = DeliverableEmailField(
        label=_("Email"),
        help_text=_("Never shown publicly."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Give an email address (it is never shown publicly).")},
    )
    notify_replies = forms.BooleanField(label=_("Notify me of replies by email"), required=False)

    field_order = [
        "name",
        "email",
        "body",
        "rating",
        "attachments",
        "location_name",
        "notify_replies",
    ]


class UserCommentForm(CommentForm):
    subscribe = forms.BooleanField(
        label=_("Email me about new comments in this conversation"), required=False
    )

    field_order = ["body", "rating", "attachments", "location_name", "subscribe"]


def comment_form_class(user):
    return UserCommentForm if user.is_authenticated else GuestCommentForm


class CommentEditForm(_ServiceErrorsMixin, _AttachmentsMixin, _BodyMixin):
    """The text, the place name of a shared location (or its removal), and the files:
    tick attachments to remove them, add new ones up to the cap."""

    location_name = _place_name_field()
    remove_location = forms.BooleanField(label=_("Remove location"), required=False)
    remove_attachments = forms.ModelMultipleChoiceField(
        label=_("Remove"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # Removals are cleaned before additions: ticked files make room for new ones.
    field_order = ["body", "location_name", "remove_location", "remove_attachments", "attachments"]

    def __init__(self, *args, comment, **kwargs):
        kwargs.setdefault("initial", {"body": comment.body, "location_name": comment.location_name})
        super().__init__(*args, **kwargs)
        self.comment = comment
        if not comment.has_location:
            del self.fields["remove_location"]
        self.current_attachments = list(comment.attachments.all())
        self.fields["remove_attachments"].queryset = comment.attachments.all()

    def attachment_room(self) -> int:
        # Ticked files make room for new ones in the same save (``field_order``).
        removing = len(self.cleaned_data.get("remove_attachments") or [])
        return settings.COMMENTS_MAX_ATTACHMENTS - len(self.current_attachments) + removing

    def too_many_message(self) -> str:
        cap = settings.COMMENTS_MAX_ATTACHMENTS
        room = max(0, self.attachment_room())
        if not room:
            return ngettext(
                "A comment can have at most %(cap)s attachment; remove one first.",
                "A comment can have at most %(cap)s attachments; remove one first.",
                cap,
            ) % {"cap": cap}
        return ngettext(
            "A comment can have at most %(cap)s attachments; you can add %(room)s more.",
            "A comment can have at most %(cap)s attachments; you can add %(room)s more.",
            room,
        ) % {"cap": cap, "room": room}

    @property
    def attachment_slots(self) -> range:
        """One plain file input per free slot."""
        free = settings.COMMENTS_MAX_ATTACHMENTS - len(self.current_attachments)
        return range(1, max(0, free) + 1)

    def location(self):
        """``comment_edit``'s ``location``: None removes, ``KEEP`` leaves it as it is,
        a dict renames the place at the same (already coarsened) point."""
        data, comment = self.cleaned_data, self.comment
        if data.get("remove_location"):
            return None
        name = data.get("location_name", "").strip()
        if name == comment.location_name:
            return KEEP
        if not name and comment.latitude is None:
            return None
        return {
            "name": name,
            "latitude": comment.latitude,
            "longitude": comment.longitude,
            "precise": comment.location_precise,
        }


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this comment?"),
        choices=CommentFlag.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason.")},
    )
    note = forms.CharField(
        label=_("Anything the moderators should know? (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
