"""An article's comments: the public list in thread order, and posting a new one."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Substr
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from articles import cache as page_cache
from articles import versions
from articles.compiled import CompiledLookup
from articles.models import Article
from articles.pagination import Pagination
from articles.validators import DeliverableEmailSerializerField
from comments import attachments, conversation, fragments, idempotency, posting, tokens
from comments.api.attachments import prepare_uploads, uploads_rate_limit
from comments.api.common import FieldsBuiltOnce
from comments.api.errors import Conflict, ErrorDetailSerializer, as_api_error, service_errors
from comments.api.serializers import (
    CommentBodyField,
    CommentCreatedSerializer,
    CommentSerializer,
    LocationInputField,
    StrictCharField,
    created_comment_data,
    public_comments_data,
)
from comments.models import PATH_DIGITS, Attachment, Comment

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


# --- Input ------------------------------------------------------------------------------------
class CommentCreateSerializer(FieldsBuiltOnce, serializers.Serializer):
    body = CommentBodyField()
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Comment.objects.all(),
        required=False,
        allow_null=True,
        # The same words as the service's "not approved / other article" error, so the
        # answer does not tell whether a hidden comment exists.
        error_messages={
            "does_not_exist": _("You can only reply to a published comment here."),
            "incorrect_type": _("Send the id of the comment you are replying to."),
        },
    )
    name = StrictCharField(
        max_length=Comment._meta.get_field("guest_name").max_length,
        required=False,
        allow_blank=True,
        help_text="Guests: the name shown with the comment.",
    )
    # Checked the way it will be sent (issue 16: "one bad address blocks mail").
    email = DeliverableEmailSerializerField(
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
    trust_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Guests: the `trust_token` of an earlier post of yours (also taken as "
        "the X-Comment-Trust header). Once that post is approved, your new ones with the "
        "same email are published at once.",
    )

    def validate(self, attrs):
        request = self.context["request"]
        if not request.user.is_authenticated:
            missing = {
                field: [_("This field is required.")]
                for field in ("name", "email")
                if not attrs.get(field)
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class CommentListQuerySerializer(serializers.Serializer):
    """The public list's query: its order, or the newsroom's picks alone."""

    ordering = serializers.ChoiceField(
        choices=conversation.ORDERINGS,
        default=conversation.DEFAULT_ORDERING,
        help_text="Order of the threads (by their top-level comment): `oldest` first "
        "(default), `newest` first, or `top` (most liked, then oldest). Replies stay "
        "oldest first under their parent.",
    )
    featured = serializers.BooleanField(
        default=False,
        help_text="`1`: only the featured published comments (the newsroom's picks), "
        "newest pick first, as a flat list.",
    )
    after = serializers.IntegerField(
        required=False,
        default=None,
        min_value=0,
        # The largest id a database's integer key can hold: more is not a comment id.
        max_value=2**63 - 1,
        help_text="Live updates: only the approved comments with an id larger than this "
        "(the largest id the client has), oldest first by id, as a flat list (each with "
        "`parent` and `depth`, to be placed in the thread). `ordering` is ignored; "
        "`featured` cannot be combined with it. The page carries the article's "
        "`comment_count` too. Poll with `If-None-Match`: `304` while nothing changed. "
        "A comment held for review and approved later has a smaller id than comments "
        "posted meanwhile and is not listed; the version (and so the ETag and "
        "`comment_count`) moves with the approval.",
    )

    def validate(self, attrs):
        if attrs.get("after") is not None and attrs.get("featured"):
            raise serializers.ValidationError(
                {"featured": [_("Leave out featured when asking for comments after an id.")]}
            )
        return attrs


class CommentPagination(Pagination):
    """The list's pages; a live update (``?after=``) also says how many comments the
    article has now (for the "Comments (N)" heading), approvals of older ones included."""

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["comment_count"] = {
            "type": "integer",
            "description": "With `after` only: the article's published comments now.",
        }
        return schema


def _load_attachments(comments) -> None:
    """Set ``attachment_list`` (what ``Comment.files`` reads) on each comment, in one
    query: what ``for_page()``'s prefetch does, in the order of ``Attachment.Meta``."""
    by_comment = {}
    for comment in comments:
        comment.attachment_list = by_comment.setdefault(comment.pk, [])
    if by_comment:
        for attachment in Attachment.objects.filter(comment_id__in=list(by_comment)):
            by_comment[attachment.comment_id].append(attachment)


def _by_root(ordering: str) -> list:
    """``order_by`` that keeps threads together and orders them by their top-level
    comment (the first ``PATH_DIGITS`` of a path are the root's path), one subquery
    per order key: the query count does not change with the order."""
    if ordering == conversation.OLDEST:
        return ["path"]
    root = Comment.objects.filter(
        article_id=OuterRef("article_id"), path=Substr(OuterRef("path"), 1, PATH_DIGITS)
    )

    def of_root(field):
        return Subquery(root.values(field)[:1])

    if ordering == conversation.NEWEST:
        keys = [of_root("created_at").desc(), of_root("pk").desc()]
    else:
        keys = [of_root("like_count").desc(), of_root("created_at").asc(), of_root("pk").asc()]
    return [*keys, "path"]


# The article every post and every list (or poll) reads, compiled once: building and
# compiling its SQL was two thirds of the read. Neither shows the article's own text: a
# sixth of the columns (and most of the row's bytes) left unread and unbuilt.
_PUBLISHED_ARTICLE = CompiledLookup(
    Article,
    lambda *, slug, now: (
        Article.objects.published(now=now).defer(*Article.TEXT_FIELDS).filter(slug=slug)
    ),
    slug="slug",
    now="published_at",
)


@extend_schema_view(
    get=extend_schema(
        summary="Approved comments of an article, threads kept together",
        parameters=[
            CommentListQuerySerializer,
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                required=False,
                description="The `ETag` of the answer the client has: `304` (no body) "
                "while nothing under the article changed.",
            ),
            OpenApiParameter(
                "ETag",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                response=[200, 304],
                description="The version of this answer (send it as `If-None-Match`).",
            ),
        ],
        responses={
            200: CommentSerializer(many=True),
            304: OpenApiResponse(description="Not modified: the client's copy is current."),
        },
    ),
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
    """Public comments of a published article in thread order, oldest first (or
    ``?ordering=newest|top``; ``?featured=1``: the picks alone); POST adds one.

    A deleted or held comment with an approved reply anywhere under it is listed as a
    placeholder (``is_deleted`` / ``is_hidden``: nothing of its own), so that no
    approved reply loses its place in the thread."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = CommentPagination

    @cached_property
    def article(self) -> Article:
        try:
            return _PUBLISHED_ARTICLE.get(slug=self.kwargs["slug"], now=timezone.now())
        except Article.DoesNotExist:
            raise Http404 from None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Comment.objects.none()
        # The same rows as Comment.objects.public().filter(article=...): going through the
        # related manager also hands each comment this article, so `url` costs no query.
        query = self.list_query
        if query["after"] is not None:
            # Live updates: what arrived since the client's largest id, in arrival order.
            comments = self.article.comments.approved().filter(pk__gt=query["after"])
            comments = comments.for_page().order_by("pk")
        elif query["featured"]:
            comments = self.article.comments.approved().filter(is_featured=True).for_page()
            comments = comments.order_by("-featured_at", "-pk")
        else:
            comments = self.article.comments.public().for_page()
            comments = comments.order_by(*_by_root(query["ordering"]))
        return conversation.with_badges(comments)

    @cached_property
    def list_query(self) -> dict:
        """The validated ``ordering``, ``featured`` and ``after`` (400 for bad values)."""
        if self.request is None or self.request.method != "GET":
            return {"ordering": conversation.DEFAULT_ORDERING, "featured": False, "after": None}
        params = CommentListQuerySerializer(data=self.request.query_params.dict())
        params.is_valid(raise_exception=True)
        return params.validated_data

    def dispatch(self, request, *args, **kwargs):
        # The poll that nothing changed, answered before DRF builds anything (its
        # request, the negotiation, the query's serializer): most of a 304's cost.
        unchanged = self._unchanged_poll(request, kwargs.get("slug", ""))
        if unchanged is not None:
            return unchanged
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def _unchanged_poll(cls, request, slug: str):
        """A 304 for a JSON GET whose ``If-None-Match`` names the current answer, from
        the cached version record alone; None for anything else (the full path decides).

        The query is not validated here: a matching ETag was made from this exact query
        string, and only a valid query's answer (a 200) ever carried it. A token sent
        in ``Authorization`` must still be checked (a bad one is refused), and an HTML
        client gets the browsable API, so neither is answered here."""
        meta = request.META
        if (
            request.method not in ("GET", "HEAD")
            # ``*`` matches whatever exists, even the answer to a bad query (a 400).
            or "*" in meta.get("HTTP_IF_NONE_MATCH", "*")
            or "HTTP_AUTHORIZATION" in meta
            or "format" in request.GET
            or "text/html" in meta.get("HTTP_ACCEPT", "")
        ):
            return None
        record = versions.cached_version(slug)
        if record is None:
            return None
        response = page_cache.not_modified(
            request, etag=cls._etag(request, record.tag), last_modified=record.last_modified
        )
        if response is not None:
            # As DRF would send it: the answer depends on the negotiated format.
            patch_vary_headers(response, ["Accept"])
        return response

    def perform_authentication(self, request):
        """Who asks is read only when something needs it: the list is the same for every
        reader, so a poll that nothing changed does not load their account. Credentials
        in a header are still checked at once (a bad token is refused whatever is asked)."""
        if request.method in ("GET", "HEAD") and "HTTP_AUTHORIZATION" not in request.META:
            return
        super().perform_authentication(request)

    def get_serializer_class(self):
        if self.request is not None and self.request.method == "POST":
            return CommentCreateSerializer
        return CommentSerializer

    def list(self, request, *args, **kwargs):
        """Conditional GET: the list is the same for every reader, so its ETag is the
        article's engagement version plus what else shapes the answer (the query
        string, and the host and scheme of its absolute links).

        A repeat that nothing changed is answered from the article's cached version
        record (``articles.versions.cached_version``) without a query: open pages poll
        ``?after=`` every few seconds. Anything else reads the article row, as the
        authority on its version and on whether it is still published."""
        self.list_query  # noqa: B018 - a bad ordering or featured is a 400 before any ETag
        if request.accepted_renderer.format != "json":
            return super().list(request, *args, **kwargs)  # the browsable API is per user
        record = versions.cached_version(self.kwargs["slug"])
        if record is not None:
            unchanged = page_cache.not_modified(
                request, etag=self._etag(request, record.tag), last_modified=record.last_modified
            )
            if unchanged is not None:
                return unchanged
        article = self.article
        tag = versions.version_tag(article)
        if record is None or record.tag != tag:
            versions.remember_version(article)
        etag = self._etag(request, tag)
        return page_cache.conditional(
            request,
            etag=etag,
            last_modified=max(article.engagement_changed_at, article.updated_at),
            respond=lambda: self._shared_list(request, article, etag, *args, **kwargs),
        )

    def _shared_list(self, request, article, etag: str, *args, **kwargs):
        """The answer, kept for everyone who asks the same (it is the same for every
        reader: the ETag names what shapes it) under the threads cache's timeout, so a
        page of 100 is drawn once per article version rather than once per reader."""
        key = f"comments:api:list:{etag}"
        data = fragments.get_many([key]).get(key)
        if data is None:
            response = self._public_list(request, article, *args, **kwargs)
            if response.status_code == 200 and settings.COMMENTS_THREADS_CACHE_TIMEOUT:
                fragments.set_many({key: response.data}, settings.COMMENTS_THREADS_CACHE_TIMEOUT)
            return response
        return Response(data)

    @staticmethod
    def _etag(request, version_tag: str) -> str:
        return page_cache.make_etag(
            "comments",
            version_tag,
            request.scheme,
            request.get_host(),
            request.META.get("QUERY_STRING", ""),
            page_cache.locale_tag(),  # messages and placeholders are in this language
        )

    def _public_list(self, request, article, *args, **kwargs):
        # The page's attachments are read below in one plain query: Django's prefetch
        # builds an ``IN`` filter of the 100 model instances, a fifth of the page's CPU.
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        page = self.paginate_queryset(queryset)
        if page is None:
            return super().list(request, *args, **kwargs)
        _load_attachments(page)
        data = public_comments_data(page, article=article, request=request)
        response = self.get_paginated_response(data)
        if self.list_query["after"] is not None:
            response.data["comment_count"] = article.comment_count
        return response

    def create(self, request, *args, **kwargs):
        article = self.article
        try:
            key = idempotency.clean_key(request.headers.get(idempotency.HEADER))
        except DjangoValidationError as exc:
            raise as_api_error(exc) from exc
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        uploads = request.FILES.getlist("attachments") if request.FILES else []
        with service_errors():
            attachments.check_count(len(uploads))
        uploads_rate_limit(request, count=len(uploads))
        prepared = prepare_uploads(uploads, field="attachments")
        poster = posting.poster_from_request(
            request,
            honeypot=data.get("hp", ""),
            form_token=data.get("form_token"),
            trust_token=data.get("trust_token"),
        )
        try:
            with service_errors(too_often=_("You are posting too fast.")):
                created, replayed = posting.comment_submit(
                    poster=poster,
                    idempotency_key=key,
                    **posting.content_from(
                        data,
                        article=article,
                        parent=data.get("parent"),
                        location=data.get("location"),
                        attachments=prepared,
                    ),
                )
        except posting.CommentsClosed as exc:
            raise PermissionDenied(_("Comments are closed for this article.")) from exc
        except posting.IdempotencyConflict as exc:
            raise Conflict(str(exc)) from exc

        comment = created.comment
        comment.article = article
        if created.edit_token:
            comment.edit_token = created.edit_token
        location = reverse("api:comment-detail", kwargs={"pk": comment.pk})
        response = Response(status=status.HTTP_201_CREATED, headers={"Location": location})
        if replayed:
            response[REPLAYED_HEADER] = "true"
        tokens.remember_edit_token(request, response, comment, created.edit_token)
        # The cookie's claim, and the same claim as the answer's token.
        trust = tokens.remember_trust(request, response, comment)
        if trust:
            comment.trust_token = trust
        response.data = created_comment_data(comment, request=request)  # CommentCreatedSerializer's
        return response
