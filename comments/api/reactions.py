"""Readers' reactions to a published comment: likes and flags."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from articles import ratelimit
from articles.models import Article
from articles.voters import voter_key
from comments import services
from comments.api.common import acting_user
from comments.api.errors import service_errors
from comments.api.serializers import StrictCharField
from comments.models import Comment, CommentFlag


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
        with service_errors():
            like_count, liked = services.comment_like(
                comment=comment, voter=voter_key(request), ip_address=ratelimit.client_ip(request)
            )
        return self._respond(like_count, liked)

    def delete(self, request, *args, **kwargs):
        # Not rate limited: taking a like back costs nothing, and liking again counts.
        comment = self.get_object()
        with service_errors():
            like_count, liked = services.comment_unlike(comment=comment, voter=voter_key(request))
        return self._respond(like_count, liked)

    def _respond(self, like_count: int, liked: bool):
        return Response(self.get_serializer({"like_count": like_count, "liked": liked}).data)


@extend_schema_view(
    post=extend_schema(
        request=FlagSerializer,
        responses={201: FlagResultSerializer, 200: FlagResultSerializer},
        summary="Flag a comment for moderators",
        description="One flag per voter, and one per flagger (an account, or a guest's "
        "network: /24 IPv4, /64 IPv6): `201` for a new flag, `200` when this voter, or "
        "another guest on the same network, has flagged the comment already (it counts "
        "once towards sending the comment back to review).",
    ),
)
class CommentFlagView(_PublishedCommentMixin, generics.GenericAPIView):
    serializer_class = FlagSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def post(self, request, *args, **kwargs):
        comment = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            flag, created = services.comment_flag(
                comment=comment,
                voter=voter_key(request),
                reason=serializer.validated_data["reason"],
                note=serializer.validated_data.get("note", ""),
                user=acting_user(request),
                ip_address=ratelimit.client_ip(request),
            )
        result = FlagResultSerializer(
            {"reason": flag.reason, "detail": _("Thank you. A moderator will review this comment.")}
        )
        return Response(
            result.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
