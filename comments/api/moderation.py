"""The moderation queue: comments by status (or flagged), for moderators only."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers

from comments import services
from comments.api.serializers import ModerationCommentSerializer
from comments.models import Comment, CommentFlag


class IsModerator(permissions.BasePermission):
    message = "Only moderators can see the moderation queue."

    def has_permission(self, request, view) -> bool:
        return services.can_moderate(request.user)


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
