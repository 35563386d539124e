"""The moderators' API: the queues and their counts, decisions (one, undo, bulk) and an
author's history. Moderators only: 403 for everyone else, the comment's author too.
Thin views over ``comments.decisions``."""

from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.cache import make_etag
from comments import decisions, moderation, queues, services
from comments.api.errors import ErrorDetailSerializer, service_errors
from comments.api.serializers import ModerationCommentSerializer, StrictCharField
from comments.models import Comment, ModerationLog


class IsModerator(permissions.BasePermission):
    message = "Only moderators can see the moderation queue."

    def has_permission(self, request, view) -> bool:
        return services.can_moderate(request.user)


# ``status`` (the older parameter): any status, or "flagged".
QUEUE_FILTERS = [*Comment.Status.values, "flagged"]
# Where a decision sent through the API was taken: the desk's script says "desk".
API_SCREENS = [ModerationLog.Screen.API, ModerationLog.Screen.DESK]

# Reads refused to non-moderators and missing comments (the schema hook documents the
# rest of the error answers: 400, 401, and all of an unsafe method's).
_REFUSED = {403: ErrorDetailSerializer}
_MISSING = {403: ErrorDetailSerializer, 404: ErrorDetailSerializer}


def _text(name: str, description: str, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name=name, type=OpenApiTypes.STR, description=description, **kwargs)


@extend_schema_view(
    get=extend_schema(
        summary="Moderation queue (moderators only)",
        parameters=[
            _text(
                "queue",
                "`flagged`: reported by readers (published with flags, or sent back to "
                "review by them); `held`: pending with a rule's reason; `approved`: "
                f"posted in the last {queues.RECENT_DAYS} days. Default `pending`.",
                enum=list(queues.QUEUES),
            ),
            _text(
                "status",
                "Older alias of `queue`, for any status (`deleted` too) or `flagged`; "
                "ignored when `queue` is given.",
                enum=QUEUE_FILTERS,
            ),
            _text(
                "reason",
                "Held for this reason (`policy`: any hold about the author).",
                enum=[*moderation.REASONS, *queues.REASON_GROUPS],
            ),
            _text("section", "Section slug."),
            _text("article", "Article slug or id."),
            _text(
                "q",
                "Text, author name, email (any spelling of the mailbox) or an IP "
                "address or network (`203.0.113.0/24`, `2001:db8::/64`).",
            ),
        ],
    )
)
class ModerationCommentList(generics.ListAPIView):
    """A queue of the moderation desk, with what moderators need to decide: pending,
    flagged and held oldest first, the others newest first."""

    serializer_class = ModerationCommentSerializer
    permission_classes = [IsModerator]

    def get_queryset(self):
        params = self.request.query_params
        filters = {name: params.get(name) or None for name in ("reason", "section", "article")}
        filters["q"] = params.get("q") or None
        queue, wanted = params.get("queue"), params.get("status")
        with service_errors():
            if queue or not wanted or wanted in ("pending", "flagged"):
                return queues.moderation_queue(queue=queue or wanted or "pending", **filters)
            if wanted not in QUEUE_FILTERS:
                raise serializers.ValidationError(
                    {"status": [f"Choose one of: {', '.join(QUEUE_FILTERS)}."]}
                )
            # The older parameter: every comment of that status, oldest first.
            comments = queues.moderation_filter(Comment.objects.filter(status=wanted), **filters)
            return queues.moderation_comments(comments).order_by("created_at", "pk")


@extend_schema(
    summary="How many comments each queue holds (moderators only)",
    description="Poll it with `If-None-Match`: `304` while no queue changed (the ETag "
    "also moves when a comment arrives or is decided and the counts stay the same).",
    responses={
        200: inline_serializer(
            "QueueCounts",
            {
                **{queue: serializers.IntegerField() for queue in queues.QUEUES},
                "capped": serializers.ListField(
                    child=serializers.ChoiceField(choices=queues.QUEUES),
                    help_text=f"The queues holding more than {queues.COUNT_CAP} comments: "
                    f"their count says {queues.COUNT_CAP} (the desk shows "
                    f'"{queues.COUNT_CAP}+").',
                ),
            },
        ),
        304: OpenApiResponse(description="The counts have not changed."),
        **_REFUSED,
    },
)
class ModerationCountsView(APIView):
    permission_classes = [IsModerator]

    def get(self, request):
        counts, marker = queues.queue_snapshot()
        etag = make_etag(*(f"{queue}={n}" for queue, n in counts.items()), *marker)
        answer = {queue: min(n, queues.COUNT_CAP) for queue, n in counts.items()}
        answer["capped"] = [queue for queue, n in counts.items() if queues.capped(n)]
        response = get_conditional_response(request, etag=etag) or Response(answer)
        response["ETag"] = etag
        # Always asked again (it changes any moment), and never kept by a shared cache.
        patch_cache_control(response, private=True, no_cache=True)
        return response


class DecisionInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=decisions.ACTIONS)
    reason = StrictCharField(required=False, allow_blank=True, max_length=300)
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The `version` you decided on: `409` if someone changed the comment since.",
    )
    screen = serializers.ChoiceField(
        choices=API_SCREENS, required=False, help_text="Where the decision was taken (audit log)."
    )


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text='e.g. "Already approved by Maria 2 minutes ago."')
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Comment.Status.choices)
    by = serializers.CharField()
    action = serializers.CharField()
    at = serializers.DateTimeField()


def _card(request, pk: int):
    """The comment as the queue serves it (same serializer, same queries)."""
    comment = queues.moderation_comments(Comment.objects.filter(pk=pk)).get()
    return Response(ModerationCommentSerializer(comment, context={"request": request}).data)


class _ModeratorView(APIView):
    permission_classes = [IsModerator]

    def _decide(self, call):
        """Run a decision, with the services' refusals as HTTP answers (DRF answers a
        ``PermissionDenied`` with 403 itself)."""
        with service_errors():
            return call()


def _conflict_response(exc: decisions.DecisionConflict) -> Response:
    data = {
        "detail": str(exc),
        "version": exc.comment.version,
        "status": exc.comment.status,
        "by": exc.by_name,
        "action": exc.action,
        "at": serializers.DateTimeField().to_representation(exc.at),
    }
    return Response(data, status=status.HTTP_409_CONFLICT)


@extend_schema(
    summary="Decide on a comment (moderators only)",
    request=DecisionInputSerializer,
    responses={200: ModerationCommentSerializer, 409: ConflictSerializer},
)
class DecisionView(_ModeratorView):
    """Approve, reject, spam, restore (back to the status before the last decision),
    feature or unfeature. With `version`, a comment someone else changed since is
    answered `409` with who did it, and nothing changes."""

    def post(self, request, pk: int):
        comment = get_object_or_404(Comment, pk=pk)
        data = _valid(DecisionInputSerializer, request)
        try:
            self._decide(
                lambda: decisions.comment_decide(
                    comment=comment,
                    action=data["action"],
                    by=request.user,
                    reason=data.get("reason", ""),
                    version=data.get("version"),
                    screen=data.get("screen", ModerationLog.Screen.API),
                )
            )
        except decisions.DecisionConflict as exc:
            return _conflict_response(exc)
        return _card(request, pk)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class UndoInputSerializer(serializers.Serializer):
    screen = serializers.ChoiceField(choices=API_SCREENS, required=False)


@extend_schema(
    summary="Undo your last decision on a comment (moderators only)",
    description="Within `COMMENTS_UNDO_SECONDS` (default 10) and if nobody acted on it "
    'since; else `400` `{"detail": ["Too late to undo."]}`.',
    request=UndoInputSerializer,
    responses={200: ModerationCommentSerializer},
)
class UndoView(_ModeratorView):
    def post(self, request, pk: int):
        comment = get_object_or_404(Comment, pk=pk)
        data = _valid(UndoInputSerializer, request)
        screen = data.get("screen", ModerationLog.Screen.API)
        self._decide(
            lambda: decisions.decision_undo(comment=comment, by=request.user, screen=screen)
        )
        return _card(request, pk)


class BulkInputSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=200
    )
    action = serializers.ChoiceField(choices=decisions.ACTIONS)
    reason = StrictCharField(required=False, allow_blank=True, max_length=300)


class BulkResultSerializer(serializers.Serializer):
    decided = serializers.ListField(child=serializers.IntegerField())
    unchanged = serializers.ListField(child=serializers.IntegerField())
    failed = serializers.DictField(
        child=serializers.CharField(), help_text="Comment id → why it was not decided."
    )


@extend_schema(
    summary="The same decision on many comments (moderators only)",
    request=BulkInputSerializer,
    responses={200: BulkResultSerializer},
)
class BulkDecisionView(_ModeratorView):
    """Each comment is decided on its own: one that cannot be (featuring a held one,
    an unknown id) is listed under `failed` and the others go ahead."""

    def post(self, request):
        data = _valid(BulkInputSerializer, request)
        result = self._decide(
            lambda: decisions.comments_decide(
                comment_ids=data["ids"],
                action=data["action"],
                by=request.user,
                reason=data.get("reason", ""),
            )
        )
        result["failed"] = {str(pk): message for pk, message in result["failed"].items()}
        return Response(result)


class HistoryCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Comment.Status.choices)
    created_at = serializers.DateTimeField()
    article_title = serializers.CharField()
    url = serializers.CharField()
    excerpt = serializers.CharField()


class HistoryBanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    target = serializers.CharField(source="__str__")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class AuthorHistorySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["account", "guest"])
    name = serializers.CharField()
    email = serializers.CharField()
    user_id = serializers.IntegerField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    comments = HistoryCommentSerializer(many=True)
    flags_received = serializers.IntegerField()
    bans = HistoryBanSerializer(many=True)
    first_seen = serializers.DateTimeField(allow_null=True)
    last_seen = serializers.DateTimeField(allow_null=True)
    ips = serializers.ListField(child=serializers.CharField())
    trust = serializers.CharField(allow_null=True)


class AuthorQuerySerializer(serializers.Serializer):
    comment = serializers.IntegerField(min_value=1)


@extend_schema(
    summary="The history of a comment's author (moderators only)",
    parameters=[
        OpenApiParameter("comment", OpenApiTypes.INT, required=True, description="A comment id.")
    ],
    responses={200: AuthorHistorySerializer, **_MISSING},
)
class AuthorHistoryView(_ModeratorView):
    """Everything by this author (an account, or a guest by any spelling of the email):
    counts by status, the latest comments, flags received, bans past and present,
    first and last seen, the IP addresses used and a moderator's trust setting."""

    def get(self, request):
        query = AuthorQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        comment = get_object_or_404(
            Comment.objects.select_related("user"), pk=query.validated_data["comment"]
        )
        history = self._decide(lambda: queues.author_history(comment=comment))
        return Response(AuthorHistorySerializer(history).data)
