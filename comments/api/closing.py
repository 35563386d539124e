"""Closing and reopening an article's comments through the API (moderators only): the
same service as the admin's actions and the article page's form."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.models import Article
from articles.services import article_comments_switch
from comments import closing, services


class IsModerator(permissions.BasePermission):
    message = closing.REFUSED

    def has_permission(self, request, view) -> bool:
        return services.can_moderate(request.user)


class CommentsStateInputSerializer(serializers.Serializer):
    open = serializers.BooleanField(help_text="`false` closes comments now; `true` reopens them.")


class CommentsStateSerializer(serializers.Serializer):
    comments_open = serializers.BooleanField(
        help_text="The newsroom's switch (`false`: closed by hand)."
    )
    comments_close_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When comments were closed by hand, or close by themselves "
        "(`COMMENTS_CLOSE_AFTER_DAYS` or the article's own setting); null: never.",
    )
    comments_accepting = serializers.BooleanField(
        source="accepting_comments", help_text="Whether a new comment is taken now."
    )


@extend_schema(
    summary="Close or reopen an article's comments (moderators only)",
    description="Reopening an article that closed by itself (days after publication) "
    "also stops it closing by itself again.",
    request=CommentsStateInputSerializer,
    responses={200: CommentsStateSerializer},
)
class CommentsStateView(APIView):
    permission_classes = [IsModerator]

    def post(self, request, slug: str):
        article = get_object_or_404(Article.objects.visible_to(request.user), slug=slug)
        data = CommentsStateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        article_comments_switch(
            article=article, open=data.validated_data["open"], by=request.user, via="API"
        )
        return Response(CommentsStateSerializer(article).data)
