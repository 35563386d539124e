"""One comment: read it, change it (its author within the edit window, or a
moderator) or delete it."""

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from comments import decisions, services, tokens
from comments.api.common import EDIT_TOKEN_HEADER, acting_user
from comments.api.errors import service_errors
from comments.api.serializers import CommentBodyField, CommentDetailSerializer, LocationInputField
from comments.models import Comment, ModerationLog


class CommentUpdateSerializer(serializers.Serializer):
    body = CommentBodyField(required=False)
    location = LocationInputField(help_text="A new location, or null to remove it.")
    status = serializers.ChoiceField(
        choices=Comment.Status.choices, required=False, help_text="Moderators only."
    )


@extend_schema_view(
    get=extend_schema(parameters=[EDIT_TOKEN_HEADER]),
    patch=extend_schema(
        request=CommentUpdateSerializer,
        responses=CommentDetailSerializer,
        parameters=[EDIT_TOKEN_HEADER],
        description="Authors may change `body` within the edit window; moderators may "
        "change `body` at any time and `status`. An author's new `body` goes through the "
        "moderation rules again: if they would hold it, the comment goes back to review "
        "and the answer's `status` is `pending`.",
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
            raise PermissionDenied(_("Only the author or a moderator can change this comment."))
        if comment.status != Comment.Status.PENDING and comment.status != Comment.Status.APPROVED:
            raise PermissionDenied(_("This comment can no longer be changed."))
        raise PermissionDenied(_("The edit window has closed."))

    def partial_update(self, request, *args, **kwargs):
        comment = self.get_object()
        self._check_can_edit(comment)
        serializer = CommentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "status" in data and not self._is_moderator():
            raise PermissionDenied(_("Only moderators can change a comment's status."))
        by = acting_user(request)
        # Both write the audit log (ModerationLog) when a moderator acts.
        with service_errors(), transaction.atomic():
            if "body" in data or "location" in data:
                services.comment_edit(
                    comment=comment,
                    body=data.get("body"),
                    by=by,
                    location=data["location"] if "location" in data else services.KEEP,
                    screen=ModerationLog.Screen.API,
                )
            if "status" in data:
                comment = _set_status(comment, data["status"], by=by)
        return Response(self.get_serializer(comment).data)

    def destroy(self, request, *args, **kwargs):
        comment = self.get_object()
        self._check_can_edit(comment)
        services.comment_delete(comment=comment, by=acting_user(request))
        response = Response(status=status.HTTP_204_NO_CONTENT)
        tokens.forget_edit_token(request, response, comment.pk)
        return response


# A status a moderator sets here is a decision like any other (comments.decisions: the
# version moves, the log says "api"); "pending" and "deleted" are not desk decisions.
_DECISION_FOR = {
    Comment.Status.APPROVED: "approve",
    Comment.Status.REJECTED: "reject",
    Comment.Status.SPAM: "spam",
}


def _set_status(comment: Comment, status: str, *, by) -> Comment:
    action = _DECISION_FOR.get(status)
    if action is not None:
        return decisions.comment_decide(
            comment=comment, action=action, by=by, screen=ModerationLog.Screen.API
        )
    return services.comment_set_status(
        comment=comment, status=status, by=by, screen=ModerationLog.Screen.API
    )
