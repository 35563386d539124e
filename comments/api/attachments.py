"""A comment's files: upload one, remove one, and the content checks every upload
(also those sent with a new comment) goes through.

Uploads are counted against the rate limit before any file is parsed or decoded, so a
client over the limit costs no decoding."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from articles import ratelimit
from articles.voters import voter_key
from comments import attachments as attachment_service
from comments import rate_limits, services, tokens
from comments.api.common import EDIT_TOKEN_HEADER, acting_user
from comments.api.errors import PayloadTooLarge, service_errors
from comments.api.serializers import AttachmentSerializer, attachment_data
from comments.models import Attachment, Comment


class DecodeBusy(APIException):
    """503 with ``Retry-After`` (DRF's handler sends ``wait`` as that header)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "busy"

    def __init__(self, exc: attachment_service.DecodeBusy):
        super().__init__(str(exc))
        self.wait = exc.retry_after


def uploads_rate_limit(request, *, count: int) -> None:
    """Count ``count`` files against the client's upload rate limit (429 with
    ``Retry-After`` when over). Call it before the files are read or decoded."""
    with service_errors(too_often=_("Too many uploads.")):
        for _slot in range(count):
            rate_limits.upload_rate_limit(
                ip_address=ratelimit.client_ip(request),
                user=acting_user(request),
                voter=voter_key(request),
            )


def prepare_uploads(files, *, field: str) -> list:
    """Check uploads by content; 413 for a file over the size limit, 400
    ``{field: [...]}`` for anything not allowed, 503 when no image decoder is free."""
    prepared = []
    for upload in files:
        try:
            prepared.append(attachment_service.prepare(upload))
        except attachment_service.DecodeBusy as exc:
            raise DecodeBusy(exc) from exc
        except attachment_service.FileTooLarge as exc:
            raise PayloadTooLarge(str(exc)) from exc
        except DjangoValidationError as exc:
            messages = [f"{upload.name}: {m}" for m in exc.message_dict.get("file", exc.messages)]
            raise serializers.ValidationError({field: messages}) from exc
    return prepared


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An image (JPEG, PNG, GIF, WebP), a PDF or plain text.")


class _AuthorCanChange:
    def check_can_change(self, request, comment) -> None:
        token = tokens.edit_token_from_request(request, comment.pk)
        if not services.can_edit(comment=comment, user=request.user, token=token):
            raise PermissionDenied(
                _("Only the author (within the edit window) or a moderator can do that.")
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
        # Before request.data: a limited client's body is not even parsed.
        uploads_rate_limit(request, count=1)
        upload = AttachmentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        (prepared,) = prepare_uploads([upload.validated_data["file"]], field="file")
        with service_errors():
            attachment = attachment_service.attachment_add(comment=comment, prepared=prepared)
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
        attachment_service.attachment_delete(attachment=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)
