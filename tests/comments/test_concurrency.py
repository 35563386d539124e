"""Races between real transactions on PostgreSQL (SQLite serialises writers anyway)."""

import threading

import pytest
from django.db import connection, connections

from comments import services
from comments.models import Comment, CommentLike
from tests.factories import make_comment

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
    ),
]


def _race(n, target):
    barrier = threading.Barrier(n)
    errors = []

    def run(i):
        try:
            barrier.wait()
            target(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_concurrent_likes_by_one_voter_count_once():
    comment = make_comment()
    _race(
        8,
        lambda i: services.comment_like(comment=Comment.objects.get(pk=comment.pk), voter="g:same"),
    )
    comment.refresh_from_db()
    assert CommentLike.objects.filter(comment=comment).count() == 1
    assert comment.like_count == 1


def test_concurrent_likes_by_many_voters_all_count():
    comment = make_comment()
    _race(
        10,
        lambda i: services.comment_like(comment=Comment.objects.get(pk=comment.pk), voter=f"g:{i}"),
    )
    comment.refresh_from_db()
    assert comment.like_count == 10


def test_concurrent_approvals_count_once():
    comment = make_comment(status=Comment.Status.PENDING)
    _race(6, lambda i: services.comment_approve(comment=Comment.objects.get(pk=comment.pk)))
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

    _race(12, upload)
    assert Attachment.objects.filter(comment=comment).count() == 3
    assert len(refused) == 9
    # The refused uploads left no files behind: 3 attachments, 3 files.
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 3
