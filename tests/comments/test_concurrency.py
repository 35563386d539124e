"""Races between real transactions on PostgreSQL (SQLite serialises writers anyway)."""

from rest_framework.test import APIClient

from comments import services
from comments.models import Comment, CommentLike
from tests.concurrency import needs_postgresql, race
from tests.factories import make_article, make_comment, make_user

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
            attachments.attachment_add(
                comment=Comment.objects.get(pk=comment.pk), prepared=prepared
            )
        except attachments.TooManyAttachments:
            refused.append(i)

    race(12, upload)
    assert Attachment.objects.filter(comment=comment).count() == 3
    assert len(refused) == 9
    # The refused uploads left no files behind: 3 attachments, 3 files.
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 3


def test_concurrent_posts_with_one_idempotency_key_create_one_comment():
    article = make_article()
    reader = make_user("racer")
    answers = []

    def post(i):
        client = APIClient()
        client.force_authenticate(reader)
        answers.append(
            client.post(
                f"/api/v1/articles/{article.slug}/comments/",
                {"body": "Posted twice at once."},
                format="json",
                headers={"Idempotency-Key": "double-click"},
            )
        )

    race(4, post)
    assert Comment.objects.filter(article=article).count() == 1
    assert [a.status_code for a in answers] == [201] * 4
    assert {a.json()["id"] for a in answers} == {Comment.objects.get(article=article).pk}
    assert sum(a.has_header("Idempotent-Replayed") for a in answers) == 3
