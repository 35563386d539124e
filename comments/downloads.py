"""Serving attachments so that no upload can run script in the site's origin.

Every response carries the stored content type (never a guess), ``nosniff``, a
``Content-Security-Policy`` sandbox that forbids everything, and
``Content-Disposition: attachment`` for anything that is not an image. Files are only
ever reached through these views (MEDIA_URL is not served), which check that the
comment is public — or that the viewer is its author or a moderator.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from comments import services, tokens
from comments.models import Attachment, Comment

MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def is_public(comment: Comment) -> bool:
    return comment.status == Comment.Status.APPROVED and comment.article.is_public


def can_see(request, comment: Comment) -> bool:
    if is_public(comment):
        return True
    if services.can_moderate(request.user):
        return True
    if comment.status in (Comment.Status.DELETED, Comment.Status.SPAM, Comment.Status.REJECTED):
        return False
    if comment.user_id is not None:
        return request.user.is_authenticated and request.user.pk == comment.user_id
    return comment.token_matches(tokens.edit_token_from_request(request, comment.pk))


def _serve(request, attachment: Attachment, field, content_type: str, download: bool, shared=False):
    if not can_see(request, attachment.comment):
        raise Http404
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=download,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    # A public comment's thumbnail is the same for everyone and was drawn by newsite (re-
    # encoded, no metadata): other sites' pages may show it (the embed widget). Originals,
    # and whatever is shown only to its author or moderators, stay on newsite's pages.
    cross = shared and is_public(attachment.comment)
    response["Cross-Origin-Resource-Policy"] = "cross-origin" if cross else "same-origin"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _attachment(pk: int) -> Attachment:
    return get_object_or_404(Attachment.objects.select_related("comment__article"), pk=pk)


@require_GET
def attachment(request, pk, name):
    item = _attachment(pk)
    return _serve(request, item, item.file, item.content_type, download=not item.is_image)


@require_GET
def attachment_thumbnail(request, pk):
    item = _attachment(pk)
    if not item.thumbnail:
        raise Http404
    thumb_type = "image/png" if item.thumbnail.name.endswith(".png") else "image/jpeg"
    return _serve(request, item, item.thumbnail, thumb_type, download=False, shared=True)
