"""Races between real transactions on PostgreSQL (SQLite serialises writers anyway)."""

from comments import services
from comments.models import Comment, CommentLike
from tests.concurrency import needs_postgresql, race
from tests.factories import make_comment

pytestmark = needs_postgresql


def test_concurrent_likes_by_one_voter_count_once():
    comment = make_comment()
    race(
        8,
        lambda i: services.comment_like(comment=Comment.objects.get(pk=comment.pk), voter="g:same"),
    )
    comment.refresh_from_db()
    assert CommentLike.objects.filter(comment=comment).count() == 1
    assert comment.like_count == 1


def test_concurrent_likes_by_many_voters_all_count():
    comment = make_comment()
    race(
        10,
        lambda i: services.comment_like(comment=Comment.objects.get(pk=comment.pk), voter=f"g:{i}"),
    )
    comment.refresh_from_db()
    assert comment.like_count == 10


def test_concurrent_approvals_count_once():
    comment = make_comment(status=Comment.Status.PENDING)
    race(6, lambda i: services.comment_approve(comment=Comment.objects.get(pk=comment.pk)))
    comment.article.refresh_from_db()
    assert comment.article.comment_count == 1


def test_twelve_racing_uploads_store_exactly_three(settings, tmp_path):
    from comments import attachments
    from comments.models import Attachment
    from tests.comments import files

    settings.MEDIA_ROOT = tmp_path
    comment = make_comment()
    prepared = attachments.prepare(files.upload(files.TEXT, "n.txt"))
    refused = []

    def upload(i):
        try:
            services.attachment_add(comment=Comment.objects.get(pk=comment.pk), prepared=prepared)
        except services.TooManyAttachments:
            refused.append(i)

    race(12, upload)
    assert Attachment.objects.filter(comment=comment).count() == 3
    assert len(refused) == 9
    # The refused uploads left no files behind: 3 attachments, 3 files.
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 3
