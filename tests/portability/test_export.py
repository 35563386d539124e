import json

import pytest

from articles.models import Article
from comments.models import Comment, ThreadSubscription
from portability.models import ImportedComment
from ratings.models import Vote
from ratings.services import rating_set
from tests.factories import make_article, make_comment, make_user
from tests.portability.conftest import run_import
from tests.portability.sites import export

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    reader = make_user("reader")
    article = make_article()
    top = make_comment(article, guest_email="ana@example.org", ip_address="203.0.113.9")
    reply = make_comment(article, parent=top, user=reader, body="Ça va — *yes*")
    make_comment(article, parent=reply, status=Comment.Status.PENDING)
    rating_set(article=article, voter="g:abc", stars=4, enforce_limits=False)
    ThreadSubscription.objects.create(user=reader, article=article)
    return article


def snapshot():
    comments = Comment.objects.order_by("created_at", "pk")
    return (
        [
            (c.body, c.status, c.author_name, c.user_id, c.depth, c.created_at,
             c.reply_to.body if c.reply_to else None)
            for c in comments
        ],
        list(Article.objects.values_list("comment_count", "rating_count", "rating_sum")),
        list(Vote.objects.values_list("voter", "stars")),
        list(ThreadSubscription.objects.values_list("user_id", "article_id")),
    )  # fmt: skip


def test_header_names_the_format_and_version(site):
    header = export()[0]
    assert (header["type"], header["format"], header["version"]) == (
        "header",
        "newsite-comments",
        3,
    )


def test_without_the_flag_there_are_no_emails_or_ips(site):
    text = json.dumps(export())
    assert "ana@example.org" not in text and "203.0.113.9" not in text


def test_with_the_flag_emails_and_ips_are_exported(site):
    text = json.dumps(export("--personal-data"))
    assert "ana@example.org" in text and "203.0.113.9" in text


def test_round_trip_restores_equal_counts_and_content(site, tmp_path):
    path = tmp_path / "backup.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in export("--personal-data")))
    before = snapshot()
    Comment.objects.all().delete()
    Vote.objects.all().delete()
    ThreadSubscription.objects.all().delete()
    Article.objects.update(comment_count=0, rating_count=0, rating_sum=0)
    assert run_import("newsite", path)[0] == "imported 3 comments in 1 threads, skipped 0"
    assert snapshot() == before
    assert Comment.objects.get(guest_name__startswith="Guest", depth=0).guest_email == (
        "ana@example.org"
    )


def test_restoring_twice_creates_nothing(site, tmp_path):
    path = tmp_path / "backup.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in export()))
    Comment.objects.all().delete()
    run_import("newsite", path)
    before = snapshot()
    assert run_import("newsite", path)[0] == "imported 0 comments in 0 threads, skipped 3"
    assert snapshot() == before
    assert ImportedComment.objects.count() == 3
