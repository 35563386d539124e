"""The comments API: thin DRF views that parse input with a serializer, call
``comments.services`` and render the public representation of a comment.

The representation is an allow-list: a comment's email, IP address, user agent and
edit-token hash are never serialised.
"""

import json
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, Throttled
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from articles import cache as page_cache
from articles import ratelimit
from articles.models import Article
from articles.voters import voter_key
from comments import attachments, geocoding, idempotency, moderation, posting, services, tokens
from comments.models import Attachment, Comment, CommentFlag

DELETED_NAME = "[deleted]"

EDIT_TOKEN_HEADER = OpenApiParameter(
    name="X-Comment-Token",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="A guest author's `edit_token`, as returned once when the comment was created.",
)

IDEMPOTENCY_KEY_HEADER = OpenApiParameter(
    name=idempotency.HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any 1..100 printable ASCII characters (a UUID is a good choice). A "
    "retry with the same key and the same comment within 24 hours creates nothing new "
    "and gets the first answer again, with `Idempotent-Replayed: true`; the same key "
    "with a different comment is a `409`.",
)
REPLAYED_HEADER = "Idempotent-Replayed"


class Conflict(APIException):
    status_code = 409
    default_detail = "Conflict."
    default_code = "conflict"


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


# The service speaks in model field names; the API's input names differ for guests.
_SERVICE_TO_API_FIELD = {
    "guest_name": "name",
    "guest_email": "email",
    "__all__": api_settings.NON_FIELD_ERRORS_KEY,
}


def _as_api_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A Django ``ValidationError`` from a service as DRF's ``{"field": [...]}``."""
    if hasattr(exc, "error_dict"):
        detail = {_SERVICE_TO_API_FIELD.get(f, f): msgs for f, msgs in exc.message_dict.items()}
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return serializers.ValidationError(detail)


def _acting_user(request):
    return request.user if request.user.is_authenticated else None


@contextmanager
def _service_errors(too_often: str = "You are doing that too often."):
    """A service's refusals in DRF's shapes: 400 ``{"field": [...]}``, 403 for a
    banned poster (with the ban's message) and 429 with ``Retry-After`` over a rate
    limit."""
    try:
        yield
    except ratelimit.RateLimited as exc:
        raise Throttled(wait=exc.retry_after, detail=too_often) from exc
    except moderation.Banned as exc:
        raise PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        raise _as_api_error(exc) from exc
    except attachments.StorageUnavailable as exc:
        raise _StorageUnavailable(str(exc)) from exc


class _StorageUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "storage_unavailable"


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
        "whitespace": "Write something before posting.",
        "blank": "Write something before posting.",
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


class PayloadTooLarge(APIException):
    status_code = 413
    default_detail = "The file is too large."
    default_code = "too_large"


def prepare_uploads(files, *, field: str) -> list:
    """Check uploads by content; 413 for a file over the size limit, 400
    ``{field: [...]}`` for anything not allowed."""
    prepared = []
    for upload in files:
        try:
            prepared.append(attachments.prepare(upload))
        except attachments.FileTooLarge as exc:
            raise PayloadTooLarge(str(exc)) from exc
        except DjangoValidationError as exc:
            messages = [f"{upload.name}: {m}" for m in exc.message_dict.get("file", exc.messages)]
            raise serializers.ValidationError({field: messages}) from exc
    return prepared


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
        "invalid": "Send the location as an object with name, latitude and longitude."
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
    """A comment as readers see it. Deleted placeholders keep their place in the
    thread but lose their author and text."""

    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    reply_to = serializers.IntegerField(source="reply_to_id", read_only=True, allow_null=True)
    author = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    is_deleted = serializers.BooleanField(read_only=True)
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
            "like_count",
            "attachments",
            "location",
            "rating",
            "reply_to",
            "is_deleted",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer)
    def get_author(self, obj) -> dict:
        if obj.is_deleted:
            return {"name": DELETED_NAME, "is_guest": obj.is_guest}
        return {"name": obj.author_name, "is_guest": obj.is_guest}

    def get_body_html(self, obj) -> str:
        return "" if obj.is_deleted else obj.body_html

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, obj) -> list:
        if obj.is_deleted:
            return []
        request = self.context.get("request")
        return [attachment_data(a, request) for a in obj.files]

    @extend_schema_field(LocationSerializer(allow_null=True))
    def get_location(self, obj):
        return location_of(obj)

    @extend_schema_field(serializers.IntegerField(min_value=1, max_value=5, allow_null=True))
    def get_rating(self, obj):
        return None if obj.is_deleted else obj.rating

    def get_url(self, obj) -> str:
        # obj.article must already be loaded (the views make sure of it), else this is
        # one query per comment.
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


_DATETIME = serializers.DateTimeField()


def public_comments_data(comments, *, article, request) -> list[dict]:
    """``CommentSerializer(comments, many=True).data`` for the public list, built as
    plain dicts: the same JSON in a fraction of the time a nested DRF serialisation
    takes for a page of 100 (tests/comments/test_conditional_get.py compares them).
    The comments must be ``article``'s, with users and attachments loaded."""
    origin = request.build_absolute_uri("/")[:-1]
    article_url = origin + article.get_absolute_url()
    zone = _DATETIME.default_timezone()

    def as_time(value) -> str:
        # What serializers.DateTimeField writes (ISO 8601, "Z" for UTC), without its
        # per-call setting look-ups.
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    rows = []
    for comment in comments:
        deleted = comment.is_deleted
        files = [] if deleted else comment.files
        rows.append(
            {
                "id": comment.pk,
                "parent": comment.parent_id,
                "depth": comment.depth,
                "author": {
                    "name": DELETED_NAME if deleted else comment.author_name,
                    "is_guest": comment.is_guest,
                },
                "body_html": "" if deleted else comment.body_html,
                "created_at": as_time(comment.created_at),
                "edited_at": as_time(comment.edited_at) if comment.edited_at else None,
                "like_count": comment.like_count,
                "attachments": [attachment_data(a, request) for a in files],
                "location": location_of(comment),
                "rating": None if deleted else comment.rating,
                "reply_to": comment.reply_to_id,
                "is_deleted": deleted,
                "url": f"{article_url}#c{comment.pk}",
            }
        )
    return rows


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


class CommentCreatedSerializer(CommentDetailSerializer):
    """The answer to a new comment: a guest also gets the edit token, once. The status
    is ``approved`` or ``pending`` (never ``spam`` or ``rejected``: the bot that filled
    the honeypot sees the same success as a held reader).

    ``edit_token`` is read from ``comment.edit_token``, which the view sets for guests
    only; without it the key is left out (a field that is not required is skipped).
    It is not marked read-only so that the schema does not call it required.
    """

    edit_token = serializers.CharField(
        required=False,
        help_text="Guests only: send it back as X-Comment-Token to edit or delete "
        "within the edit window. Shown once.",
    )

    class Meta(CommentDetailSerializer.Meta):
        fields = [*CommentDetailSerializer.Meta.fields, "edit_token"]

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Comment.Status.choices, help_text="`approved` or `pending`, nothing else."
        )
    )
    def get_status(self, obj) -> str:
        return shown_status(obj.status, moderator=False)


# --- Input ------------------------------------------------------------------------------------
class CommentCreateSerializer(serializers.Serializer):
    body = CommentBodyField()
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Comment.objects.all(),
        required=False,
        allow_null=True,
        # The same words as the service's "not approved / other article" error, so the
        # answer does not tell whether a hidden comment exists.
        error_messages={
            "does_not_exist": "You can only reply to a published comment here.",
            "incorrect_type": "Send the id of the comment you are replying to.",
        },
    )
    name = StrictCharField(
        max_length=Comment._meta.get_field("guest_name").max_length,
        required=False,
        allow_blank=True,
        help_text="Guests: the name shown with the comment.",
    )
    email = serializers.EmailField(
        required=False, allow_blank=True, help_text="Guests: never shown; used for replies."
    )
    # Validated so that a form gets the error now, but not stored yet: there is no
    # column for it until an issue asks for authors' websites.
    website = serializers.URLField(required=False, allow_blank=True)
    notify_replies = serializers.BooleanField(
        required=False, default=False, help_text="Guests: email me when someone replies."
    )
    subscribe = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Registered readers: follow every new comment on this article.",
    )
    rating = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=5,
        help_text="1..5 stars: also counts as the poster's rating of the article.",
    )
    location = LocationInputField(help_text="Share Your Location (optional).")
    # The page form's anti-spam fields, sent by static/js/comments.js; other clients
    # leave them out.
    hp = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Page form only: the hidden field people leave empty. Leave it out.",
    )
    form_token = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Page form only: the signed time the form was shown.",
    )

    def validate(self, attrs):
        request = self.context["request"]
        if not request.user.is_authenticated:
            missing = {
                field: ["This field is required."]
                for field in ("name", "email")
                if not attrs.get(field)
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class CommentUpdateSerializer(serializers.Serializer):
    body = CommentBodyField(required=False)
    location = LocationInputField(help_text="A new location, or null to remove it.")
    status = serializers.ChoiceField(
        choices=Comment.Status.choices, required=False, help_text="Moderators only."
    )


class LikeSerializer(serializers.Serializer):
    like_count = serializers.IntegerField()
    liked = serializers.BooleanField()


class FlagSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CommentFlag.Reason.choices)
    note = StrictCharField(
        max_length=CommentFlag._meta.get_field("note").max_length, required=False, allow_blank=True
    )


class FlagResultSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CommentFlag.Reason.choices)
    detail = serializers.CharField()


# --- Views ------------------------------------------------------------------------------
@extend_schema_view(
    get=extend_schema(summary="Approved comments of an article, threads kept together"),
    post=extend_schema(
        summary="Post a comment",
        request=CommentCreateSerializer,
        parameters=[
            IDEMPOTENCY_KEY_HEADER,
            OpenApiParameter(
                REPLAYED_HEADER,
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                enum=["true"],
                response=[201],
                description="Present when this answer repeats an earlier one.",
            ),
        ],
        responses={
            201: OpenApiResponse(
                CommentCreatedSerializer,
                description="Created; or, for a repeated `Idempotency-Key`, the comment "
                "the first request created.",
            ),
            409: OpenApiResponse(
                ErrorDetailSerializer,
                description="The `Idempotency-Key` was already used for a different comment.",
            ),
        },
    ),
)
class CommentList(generics.ListCreateAPIView):
    """Public comments of a published article in thread order, oldest first; POST adds one."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @cached_property
    def article(self) -> Article:
        return get_object_or_404(Article.objects.published(), slug=self.kwargs["slug"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Comment.objects.none()
        # The same rows as Comment.objects.public().filter(article=...): going through the
        # related manager also hands each comment this article, so `url` costs no query.
        return self.article.comments.public().for_page()

    def get_serializer_class(self):
        if self.request is not None and self.request.method == "POST":
            return CommentCreateSerializer
        return CommentSerializer

    def list(self, request, *args, **kwargs):
        """Conditional GET: the list is the same for every reader, so its ETag is the
        article's engagement version plus what else shapes the answer (the query
        string, and the host and scheme of its absolute links)."""
        if request.accepted_renderer.format != "json":
            return super().list(request, *args, **kwargs)  # the browsable API is per user
        article = self.article
        etag = page_cache.make_etag(
            "comments",
            page_cache.version_tag(article),
            request.scheme,
            request.get_host(),
            request.META.get("QUERY_STRING", ""),
        )
        last_modified = max(article.engagement_changed_at, article.updated_at)
        return page_cache.conditional(
            request,
            etag=etag,
            last_modified=last_modified,
            respond=lambda: self._public_list(request, article, *args, **kwargs),
        )

    def _public_list(self, request, article, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        if page is None:
            return super().list(request, *args, **kwargs)
        data = public_comments_data(page, article=article, request=request)
        return self.get_paginated_response(data)

    def create(self, request, *args, **kwargs):
        article = self.article
        try:
            key = idempotency.clean_key(request.headers.get(idempotency.HEADER))
        except DjangoValidationError as exc:
            raise _as_api_error(exc) from exc
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        uploads = request.FILES.getlist("attachments") if request.FILES else []
        with _service_errors():
            attachments.check_count(len(uploads))
        prepared = prepare_uploads(uploads, field="attachments")
        poster = posting.poster_from_request(
            request, honeypot=data.get("hp", ""), form_token=data.get("form_token")
        )
        try:
            with _service_errors(too_often="You are posting too fast."):
                created, replayed = posting.comment_submit(
                    poster=poster,
                    idempotency_key=key,
                    article=article,
                    body=data["body"],
                    guest_name=data.get("name", ""),
                    guest_email=data.get("email", ""),
                    parent=data.get("parent"),
                    notify_replies=data["notify_replies"],
                    subscribe=data["subscribe"],
                    location=data.get("location"),
                    rating=data.get("rating"),
                    attachments=prepared,
                )
        except posting.CommentsClosed as exc:
            raise PermissionDenied("Comments are closed for this article.") from exc
        except posting.IdempotencyConflict as exc:
            raise Conflict(str(exc)) from exc

        comment = created.comment
        comment.article = article
        if created.edit_token:
            comment.edit_token = created.edit_token
        out = CommentCreatedSerializer(comment, context=self.get_serializer_context())
        location = reverse("api:comment-detail", kwargs={"pk": comment.pk})
        response = Response(
            out.data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )
        if replayed:
            response[REPLAYED_HEADER] = "true"
        tokens.remember_edit_token(response, comment, created.edit_token)
        return response


@extend_schema_view(
    get=extend_schema(parameters=[EDIT_TOKEN_HEADER]),
    patch=extend_schema(
        request=CommentUpdateSerializer,
        responses=CommentDetailSerializer,
        parameters=[EDIT_TOKEN_HEADER],
        description="Authors may change `body` within the edit window; moderators may "
        "change `body` at any time and `status`.",
    ),
    delete=extend_schema(parameters=[EDIT_TOKEN_HEADER]),
)
class CommentDetail(generics.RetrieveUpdateDestroyAPIView):
    """One comment. Public comments are visible to anyone; others only to their
    author and to moderators."""

    serializer_class = CommentDetailSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Comment.objects.select_related("user", "article")

    def get_object(self):
        comment = super().get_object()
        if not (self._is_public(comment) or self._is_author(comment) or self._is_moderator()):
            raise Http404
        return comment

    def _is_public(self, comment) -> bool:
        if not comment.article.is_public:
            return False
        return (
            comment.status == Comment.Status.APPROVED
            or Comment.objects.public().filter(pk=comment.pk).exists()
        )

    def _token(self, comment) -> str | None:
        return tokens.edit_token_from_request(self.request, comment.pk)

    def _is_author(self, comment) -> bool:
        if comment.user_id is not None:
            return self.request.user.is_authenticated and self.request.user.pk == comment.user_id
        return comment.token_matches(self._token(comment))

    def _is_moderator(self) -> bool:
        return services.can_moderate(self.request.user)

    def _check_can_edit(self, comment) -> None:
        if services.can_edit(comment=comment, user=self.request.user, token=self._token(comment)):
            return
        if not self._is_author(comment):
            raise PermissionDenied("Only the author or a moderator can change this comment.")
        if comment.status != Comment.Status.PENDING and comment.status != Comment.Status.APPROVED:
            raise PermissionDenied("This comment can no longer be changed.")
        raise PermissionDenied("The edit window has closed.")

    def partial_update(self, request, *args, **kwargs):
        comment = self.get_object()
        self._check_can_edit(comment)
        serializer = CommentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "status" in data and not self._is_moderator():
            raise PermissionDenied("Only moderators can change a comment's status.")
        by = _acting_user(request)
        # Both write the audit log (ModerationLog) when a moderator acts.
        with _service_errors(), transaction.atomic():
            if "body" in data or "location" in data:
                services.comment_edit(
                    comment=comment,
                    body=data.get("body"),
                    by=by,
                    location=data["location"] if "location" in data else services.KEEP,
                )
            if "status" in data:
                services.comment_set_status(comment=comment, status=data["status"], by=by)
        return Response(self.get_serializer(comment).data)

    def destroy(self, request, *args, **kwargs):
        comment = self.get_object()
        self._check_can_edit(comment)
        services.comment_delete(comment=comment, by=_acting_user(request))
        response = Response(status=status.HTTP_204_NO_CONTENT)
        tokens.forget_edit_token(response, comment.pk)
        return response


class _PublishedCommentMixin:
    """Likes and flags only reach approved comments of published articles."""

    def get_queryset(self):
        return Comment.objects.approved().filter(article__in=Article.objects.published())


@extend_schema_view(
    post=extend_schema(request=None, responses=LikeSerializer, summary="Like a comment"),
    delete=extend_schema(request=None, responses={200: LikeSerializer}, summary="Withdraw a like"),
)
class CommentLikeView(_PublishedCommentMixin, generics.GenericAPIView):
    """One like per voter (a registered reader, or a guest's voter cookie)."""

    serializer_class = LikeSerializer

    def post(self, request, *args, **kwargs):
        comment = self.get_object()
        with _service_errors():
            like_count, liked = services.comment_like(
                comment=comment, voter=voter_key(request), ip_address=ratelimit.client_ip(request)
            )
        return self._respond(like_count, liked)

    def delete(self, request, *args, **kwargs):
        # Not rate limited: taking a like back costs nothing, and liking again counts.
        comment = self.get_object()
        with _service_errors():
            like_count, liked = services.comment_unlike(comment=comment, voter=voter_key(request))
        return self._respond(like_count, liked)

    def _respond(self, like_count: int, liked: bool):
        return Response(self.get_serializer({"like_count": like_count, "liked": liked}).data)


@extend_schema_view(
    post=extend_schema(
        request=FlagSerializer,
        responses={201: FlagResultSerializer, 200: FlagResultSerializer},
        summary="Flag a comment for moderators",
        description="One flag per voter: `201` the first time, `200` after that.",
    ),
)
class CommentFlagView(_PublishedCommentMixin, generics.GenericAPIView):
    serializer_class = FlagSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def post(self, request, *args, **kwargs):
        comment = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with _service_errors():
            flag, created = services.comment_flag(
                comment=comment,
                voter=voter_key(request),
                reason=serializer.validated_data["reason"],
                note=serializer.validated_data.get("note", ""),
                user=_acting_user(request),
                ip_address=ratelimit.client_ip(request),
            )
        result = FlagResultSerializer(
            {"reason": flag.reason, "detail": "Thank you. A moderator will review this comment."}
        )
        return Response(
            result.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


# --- Moderation queue -----------------------------------------------------------------------
class IsModerator(permissions.BasePermission):
    message = "Only moderators can see the moderation queue."

    def has_permission(self, request, view) -> bool:
        return services.can_moderate(request.user)


class FlagDetailSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommentFlag
        fields = ["reason", "note", "created_at"]
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
        ]
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer)
    def get_author(self, obj) -> dict:
        return {"name": obj.author_name, "is_guest": obj.is_guest}

    def get_body_html(self, obj) -> str:
        return obj.body_html

    def get_reasons(self, obj) -> list[str]:
        """The reason codes in words."""
        return [moderation.describe(code) for code in obj.moderation_reasons]


QUEUE_FILTERS = [*Comment.Status.values, "flagged"]


@extend_schema_view(
    get=extend_schema(
        summary="Moderation queue (moderators only)",
        parameters=[
            OpenApiParameter(
                name="status",
                type=OpenApiTypes.STR,
                enum=QUEUE_FILTERS,
                default=Comment.Status.PENDING,
                description="`flagged`: published comments that readers flagged.",
            )
        ],
    )
)
class ModerationCommentList(generics.ListAPIView):
    """Comments by status, oldest first, with what moderators need to decide."""

    serializer_class = ModerationCommentSerializer
    permission_classes = [IsModerator]

    def get_queryset(self):
        wanted = self.request.query_params.get("status") or Comment.Status.PENDING
        if wanted not in QUEUE_FILTERS:
            raise serializers.ValidationError(
                {"status": [f"Choose one of: {', '.join(QUEUE_FILTERS)}."]}
            )
        if wanted == "flagged":
            comments = Comment.objects.approved().filter(flag_count__gt=0)
        else:
            comments = Comment.objects.filter(status=wanted)
        # Fixed queries: the page, plus its flags.
        return (
            comments.select_related("article", "user")
            .prefetch_related(
                Prefetch("flags", queryset=CommentFlag.objects.order_by("pk")), "attachments"
            )
            .order_by("created_at", "pk")
        )


# --- Reverse geocoding for "Share Your Location" ---------------------------------------
class PlaceSerializer(serializers.Serializer):
    name = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField()


class CoordinatesSerializer(serializers.Serializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)


class ReverseGeocodeView(generics.GenericAPIView):
    """The nearest named place to a point, found offline (GeoNames data shipped with
    the site; nothing is sent anywhere). The point is rounded like a stored location
    first, so the answer never depends on more precision than the site keeps."""

    serializer_class = PlaceSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("latitude", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("longitude", OpenApiTypes.DOUBLE, required=True),
        ],
        responses={200: PlaceSerializer},
    )
    def get(self, request):
        point = CoordinatesSerializer(data=request.query_params)
        point.is_valid(raise_exception=True)
        with _service_errors(too_often="Too many location look-ups."):
            services.rate_limit(
                "geocode",
                settings.GEOCODE_RATE_LIMIT,
                ip_address=ratelimit.client_ip(request),
                voter=voter_key(request),
            )
        places = settings.COMMENTS_LOCATION_PRECISION
        place = geocoding.reverse(
            round(point.validated_data["latitude"], places),
            round(point.validated_data["longitude"], places),
        )
        if place is None:
            raise NotFound("No named place near there.")
        return Response({"name": place.name, "city": place.city, "country": place.country})


# --- Attachments ----------------------------------------------------------------------
class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An image (JPEG, PNG, GIF, WebP), a PDF or plain text.")


class _AuthorCanChange:
    def check_can_change(self, request, comment) -> None:
        token = tokens.edit_token_from_request(request, comment.pk)
        if not services.can_edit(comment=comment, user=request.user, token=token):
            raise PermissionDenied(
                "Only the author (within the edit window) or a moderator can do that."
            )


class CommentAttachmentUpload(_AuthorCanChange, generics.GenericAPIView):
    """Add a file to a comment: its author within the edit window, or a moderator.
    A comment holds at most ``COMMENTS_MAX_ATTACHMENTS`` files."""

    serializer_class = AttachmentUploadSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return Comment.objects.select_related("article")

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
        parameters=[EDIT_TOKEN_HEADER],
    )
    def post(self, request, pk):
        comment = self.get_object()
        self.check_can_change(request, comment)
        upload = AttachmentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        with _service_errors(too_often="Too many uploads."):
            services.upload_rate_limit(
                ip_address=ratelimit.client_ip(request),
                user=_acting_user(request),
                voter=voter_key(request),
            )
        (prepared,) = prepare_uploads([upload.validated_data["file"]], field="file")
        with _service_errors():
            attachment = attachments.attachment_add(comment=comment, prepared=prepared)
        return Response(attachment_data(attachment, request), status=status.HTTP_201_CREATED)


class AttachmentDetail(_AuthorCanChange, generics.GenericAPIView):
    """Remove an attachment: the comment's author within the edit window, or a moderator."""

    serializer_class = AttachmentSerializer

    def get_queryset(self):
        return Attachment.objects.select_related("comment__article")

    @extend_schema(responses={204: None}, parameters=[EDIT_TOKEN_HEADER])
    def delete(self, request, pk):
        attachment = self.get_object()
        self.check_can_change(request, attachment.comment)
        attachments.attachment_delete(attachment=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)
