"""The public representation of a comment, and the input fields the resource modules
share.

The representation is an allow-list: a comment's email, IP address, user agent and
edit-token hash are never serialised (moderators' ``ModerationCommentSerializer`` is
the one exception, served only to them).
"""

import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comments import conversation, moderation, services, tokens
from comments.models import Comment, CommentFlag, CommentRevision

# What a deleted comment kept as a placeholder shows for its author and its text.
DELETED_NAME = "[deleted]"
# The same for a comment held for review (sent back by readers' flags, say) that an
# approved reply keeps in the thread: shown so to all but its author and moderators.
HELD_NAME = "[awaiting moderation]"


def held_placeholder(comment) -> bool:
    """Whether a comment listed for everyone is a held one kept as a placeholder."""
    return comment.status in Comment.HELD_STATUSES


# --- Input fields -----------------------------------------------------------------------
class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and lists instead of turning them into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CommentBodyField(StrictCharField):
    """1..5000 characters, kept exactly as typed (Markdown cares about leading spaces),
    but not whitespace only."""

    default_error_messages = {
        "whitespace": _("Write something before posting."),
        "blank": _("Write something before posting."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", Comment._meta.get_field("body").max_length)
        super().__init__(trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value.strip():
            self.fail("whitespace")
        return value


# --- Output -------------------------------------------------------------------------------
class AuthorSerializer(serializers.Serializer):
    name = serializers.CharField()
    is_guest = serializers.BooleanField()
    badge = serializers.ChoiceField(
        choices=[conversation.STAFF, conversation.AUTHOR],
        allow_null=True,
        help_text="`staff` for moderators and editors, `author` for a registered user "
        "credited on the article, null otherwise (and for placeholders).",
    )


class AttachmentSerializer(serializers.Serializer):
    """An attachment as served: images have a thumbnail and their size in pixels."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.URLField()
    thumbnail_url = serializers.URLField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)


def attachment_data(attachment, request=None) -> dict:
    def absolute(url):
        return request.build_absolute_uri(url) if (request and url) else url

    return {
        "id": attachment.pk,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": absolute(attachment.get_absolute_url()),
        "thumbnail_url": absolute(attachment.get_thumbnail_url()),
        "width": attachment.width,
        "height": attachment.height,
    }


class LocationSerializer(serializers.Serializer):
    """A shared location as stored: coordinates already coarsened unless the poster
    chose precise."""

    name = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    map_url = serializers.URLField(allow_null=True)


class LocationInputSerializer(serializers.Serializer):
    """Documents the location input; ``comments.location`` validates it."""

    name = serializers.CharField(required=False, max_length=120)
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)
    precise = serializers.BooleanField(
        required=False, help_text="Keep the exact coordinates (else rounded to ~1 km)."
    )


@extend_schema_field(LocationInputSerializer(allow_null=True))
class LocationInputField(serializers.Field):
    """An object ``{name?, latitude?, longitude?, precise?}``, or the same as a JSON
    string (multipart). Values are checked by ``comments.location.clean_location``."""

    default_error_messages = {
        "invalid": _("Send the location as an object with name, latitude and longitude.")
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else None
            except ValueError:
                self.fail("invalid")
        if data is not None and not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


def location_of(comment) -> dict | None:
    if comment.is_deleted or not comment.has_location:
        return None
    return {
        "name": comment.location_name,
        "latitude": float(comment.latitude) if comment.latitude is not None else None,
        "longitude": float(comment.longitude) if comment.longitude is not None else None,
        "map_url": comment.map_url,
    }


class CommentSerializer(serializers.ModelSerializer):
    """A comment as readers see it. Placeholders keep their place in the thread for
    the approved replies under them but show nothing of their own: a deleted comment
    (``is_deleted``), and one held for review (``is_hidden``) to anyone but its author
    and moderators (``shows_held``)."""

    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    reply_to = serializers.IntegerField(source="reply_to_id", read_only=True, allow_null=True)
    author = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    edited_at = serializers.SerializerMethodField()
    edited_by_moderator = serializers.SerializerMethodField(
        help_text="A moderator changed this comment's text or location (shown as "
        '"edited by a moderator"); what it said before is for moderators only.'
    )
    like_count = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    is_deleted = serializers.BooleanField(read_only=True)
    is_featured = serializers.SerializerMethodField(
        help_text="Among the newsroom's picks (shown above the thread on the page)."
    )
    is_hidden = serializers.SerializerMethodField(
        help_text="A comment held for review, kept in place because an approved reply "
        "hangs under it: no author, text, files, location or rating (`body_html` and "
        f"the author's name read `{HELD_NAME}`)."
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "parent",
            "depth",
            "author",
            "body_html",
            "created_at",
            "edited_at",
            "edited_by_moderator",
            "like_count",
            "attachments",
            "location",
            "rating",
            "reply_to",
            "is_deleted",
            "is_featured",
            "is_hidden",
            "url",
        ]
        read_only_fields = fields

    def shows_held(self, obj) -> bool:
        """Whether a held comment is shown in full here: never in what every reader
        is served alike (the public list)."""
        return False

    def _hidden(self, obj) -> bool:
        return held_placeholder(obj) and not self.shows_held(obj)

    @extend_schema_field(AuthorSerializer)
    def get_author(self, obj) -> dict:
        if obj.is_deleted:
            return {"name": DELETED_NAME, "is_guest": obj.is_guest, "badge": None}
        if self._hidden(obj):
            return {"name": HELD_NAME, "is_guest": False, "badge": None}
        badge = conversation.badge_of(obj)
        return {"name": obj.author_name, "is_guest": obj.is_guest, "badge": badge}

    def get_is_featured(self, obj) -> bool:
        return obj.is_featured and not obj.is_deleted and not self._hidden(obj)

    def get_body_html(self, obj) -> str:
        if obj.is_deleted:
            return DELETED_NAME
        return HELD_NAME if self._hidden(obj) else obj.body_html

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_edited_at(self, obj):
        if obj.edited_at is None or self._hidden(obj):
            return None
        return _DATETIME.to_representation(obj.edited_at)

    def get_edited_by_moderator(self, obj) -> bool:
        return obj.edited_by_moderator and not obj.is_deleted and not self._hidden(obj)

    def get_like_count(self, obj) -> int:
        return 0 if self._hidden(obj) else obj.like_count

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, obj) -> list:
        if obj.is_deleted or self._hidden(obj):
            return []
        request = self.context.get("request")
        return [attachment_data(a, request) for a in obj.files]

    @extend_schema_field(LocationSerializer(allow_null=True))
    def get_location(self, obj):
        return None if self._hidden(obj) else location_of(obj)

    @extend_schema_field(serializers.IntegerField(min_value=1, max_value=5, allow_null=True))
    def get_rating(self, obj):
        return None if obj.is_deleted or self._hidden(obj) else obj.shown_rating

    def get_is_hidden(self, obj) -> bool:
        return self._hidden(obj)

    def get_url(self, obj) -> str:
        # obj.article must already be loaded (the views make sure of it), else this is
        # one query per comment.
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


_DATETIME = serializers.DateTimeField()


def _as_time(zone):
    def as_time(value) -> str:
        # What serializers.DateTimeField writes (ISO 8601, "Z" for UTC), without its
        # per-call setting look-ups.
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return as_time


def _shown_row(comment, *, url: str, request, as_time) -> dict:
    """``CommentSerializer``'s fields of a comment shown in full (or deleted)."""
    deleted = comment.is_deleted
    files = [] if deleted else comment.files
    return {
        "id": comment.pk,
        "parent": comment.parent_id,
        "depth": comment.depth,
        "author": {
            "name": DELETED_NAME if deleted else comment.author_name,
            "is_guest": comment.is_guest,
            "badge": None if deleted else conversation.badge_of(comment),
        },
        "body_html": DELETED_NAME if deleted else comment.body_html,
        "created_at": as_time(comment.created_at),
        "edited_at": as_time(comment.edited_at) if comment.edited_at else None,
        "edited_by_moderator": comment.edited_by_moderator and not deleted,
        "like_count": comment.like_count,
        "attachments": [attachment_data(a, request) for a in files],
        "location": location_of(comment),
        "rating": None if deleted else comment.shown_rating,
        "reply_to": comment.reply_to_id,
        "is_deleted": deleted,
        "is_featured": comment.is_featured and not deleted,
        "is_hidden": False,
        "url": url,
    }


def public_comments_data(comments, *, article, request) -> list[dict]:
    """``CommentSerializer(comments, many=True).data`` for the public list, built as
    plain dicts: the same JSON in a fraction of the time a nested DRF serialisation
    takes for a page of 100 (tests/comments/test_conditional_get.py compares them).
    The comments must be ``article``'s, with users and attachments loaded."""
    origin = request.build_absolute_uri("/")[:-1]
    article_url = origin + article.get_absolute_url()
    as_time = _as_time(_DATETIME.default_timezone())
    rows = []
    for comment in comments:
        url = f"{article_url}#c{comment.pk}"
        if held_placeholder(comment):
            rows.append(
                {
                    "id": comment.pk,
                    "parent": comment.parent_id,
                    "depth": comment.depth,
                    "author": {"name": HELD_NAME, "is_guest": False, "badge": None},
                    "body_html": HELD_NAME,
                    "created_at": as_time(comment.created_at),
                    "edited_at": None,
                    "edited_by_moderator": False,
                    "like_count": 0,
                    "attachments": [],
                    "location": None,
                    "rating": None,
                    "reply_to": comment.reply_to_id,
                    "is_deleted": False,
                    "is_featured": False,
                    "is_hidden": True,
                    "url": url,
                }
            )
            continue
        rows.append(_shown_row(comment, url=url, request=request, as_time=as_time))
    return rows


def created_comment_data(comment, *, request) -> dict:
    """``CommentCreatedSerializer(comment).data``, built as a plain dict (a guest post's
    answer; a DRF serialisation of it was a tenth of the post's time): the comment in
    full to its poster, the status it is told, and a guest's tokens once
    (tests/comments/test_created_answer.py compares them)."""
    url = request.build_absolute_uri(comment.get_absolute_url())
    as_time = _as_time(_DATETIME.default_timezone())
    data = _shown_row(comment, url=url, request=request, as_time=as_time)
    data["status"] = shown_status(comment.status, moderator=False)
    for token in ("edit_token", "trust_token"):
        if getattr(comment, token, None) is not None:
            data[token] = getattr(comment, token)
    return data


def shown_status(status_value: str, *, moderator: bool) -> str:
    """The status a poster is told: ``approved``, or ``pending`` for anything the rules
    or a moderator held back, so that a bot never learns it was caught as spam.
    Moderators (and "deleted", which the author did) see the real one."""
    if moderator or status_value in (Comment.Status.APPROVED, Comment.Status.DELETED):
        return status_value
    return Comment.Status.PENDING


class CommentDetailSerializer(CommentSerializer):
    """A single comment, with its moderation status (the author may see a pending one)."""

    status = serializers.SerializerMethodField()

    class Meta(CommentSerializer.Meta):
        fields = [*CommentSerializer.Meta.fields, "status"]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Comment.Status.choices,
            help_text="`spam` and `rejected` are shown to moderators only; the author "
            "sees `pending`.",
        )
    )
    def get_status(self, obj) -> str:
        request = self.context.get("request")
        moderator = request is not None and services.can_moderate(request.user)
        return shown_status(obj.status, moderator=moderator)

    def shows_held(self, obj) -> bool:
        """A held comment is shown in full to its author (account, or the guest's edit
        token) and to moderators; anyone else reaches it only as a placeholder."""
        request = self.context.get("request")
        if request is None:
            return False
        user = request.user
        if services.can_moderate(user):
            return True
        if obj.user_id is not None:
            return user.is_authenticated and user.pk == obj.user_id
        return obj.token_matches(tokens.edit_token_from_request(request, obj.pk))


class CommentCreatedSerializer(CommentDetailSerializer):
    """The answer to a new comment: a guest also gets the edit token, once. The status
    is ``approved`` or ``pending`` (never ``spam`` or ``rejected``: the bot that filled
    the honeypot sees the same success as a held reader).

    ``edit_token`` and ``trust_token`` are read from the comment's attributes of those
    names, which the view sets for guests only; without them the keys are left out (a
    field that is not required is skipped). They are not marked read-only so that the
    schema does not call them required.
    """

    edit_token = serializers.CharField(
        required=False,
        help_text="Guests only: send it back as X-Comment-Token to edit or delete "
        "within the edit window. Shown once.",
    )

    trust_token = serializers.CharField(
        required=False,
        help_text="Guests only: proof that you posted this comment. Send it back (field "
        "`trust_token` or header X-Comment-Trust) with later posts: once this one is "
        "approved, they are published at once.",
    )

    class Meta(CommentDetailSerializer.Meta):
        fields = [*CommentDetailSerializer.Meta.fields, "edit_token", "trust_token"]

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Comment.Status.choices, help_text="`approved` or `pending`, nothing else."
        )
    )
    def get_status(self, obj) -> str:
        return shown_status(obj.status, moderator=False)

    def shows_held(self, obj) -> bool:
        return True  # the answer to its author, who posted it


# --- Moderation ---------------------------------------------------------------------------
class FlagDetailSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommentFlag
        # ``counts``: it moved the comment towards COMMENTS_FLAG_THRESHOLD (one flag
        # per account or guest network does); ``cleared_at``: a moderator approved the
        # comment since, so it counts no more.
        fields = ["reason", "note", "created_at", "counts", "cleared_at"]
        read_only_fields = fields


class RevisionSerializer(serializers.ModelSerializer):
    """One change of the comment's words or place: who, when, what it was and became."""

    editor = serializers.CharField(source="editor_name", read_only=True)

    class Meta:
        model = CommentRevision
        fields = [
            "editor",
            "created_at",
            "by_moderator",
            "old_body",
            "new_body",
            "old_location",
            "new_location",
        ]
        read_only_fields = fields


class ModerationCommentSerializer(CommentSerializer):
    """A comment as moderators see it: the public fields (with the text and author of
    a deleted one), why the rules held it, its flags, and who sent it from where."""

    status = serializers.ChoiceField(choices=Comment.Status.choices, read_only=True)
    moderation_reasons = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Reason codes."
    )
    reasons = serializers.SerializerMethodField()
    flag_count = serializers.IntegerField(read_only=True)
    flags = FlagDetailSerializer(many=True, read_only=True)
    author_email = serializers.EmailField(read_only=True)
    ip_address = serializers.IPAddressField(read_only=True, allow_null=True)
    article = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    version = serializers.IntegerField(
        read_only=True, help_text="Send it back with a decision: 409 if it moved since."
    )
    is_featured = serializers.BooleanField(read_only=True)
    featured_at = serializers.DateTimeField(read_only=True, allow_null=True)
    revisions = RevisionSerializer(many=True, read_only=True)

    class Meta(CommentSerializer.Meta):
        fields = [
            *CommentSerializer.Meta.fields,
            "status",
            "moderation_reasons",
            "reasons",
            "flag_count",
            "flags",
            "author_email",
            "ip_address",
            "article",
            "version",
            "featured_at",
            "revisions",
        ]
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer)
    def get_author(self, obj) -> dict:
        return {"name": obj.author_name, "is_guest": obj.is_guest}

    def get_body_html(self, obj) -> str:
        return obj.body_html

    def shows_held(self, obj) -> bool:
        return True

    def get_reasons(self, obj) -> list[str]:
        """The reason codes in words."""
        return [moderation.describe(code) for code in obj.moderation_reasons]
