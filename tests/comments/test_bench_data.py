"""`manage.py load_bench`: the data set `make bench` measures must be what the site
itself would have written (paths, depths, counters), or the numbers mean nothing."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from articles.models import Article
from comments.models import Comment, CommentLike
from tests.factories import make_comment

pytestmark = pytest.mark.django_db

SIZES = "30,150"


def load(sizes: str | None = SIZES):
    options = {"sizes": sizes} if sizes else {}
    call_command("load_bench", stdout=StringIO(), **options)


def test_counters_equal_a_recount():
    load()
    for slug, size in (("bench-30-comments", 30), ("bench-150-comments", 150)):
        article = Article.objects.get(slug=slug)
        assert article.comment_count == size
        assert article.comments.approved().count() == size
        assert article.comments.count() == size


def test_every_path_and_depth_is_the_one_comment_create_would_write():
    load()
    comments = Comment.objects.in_bulk()
    for comment in comments.values():
        parent = comments.get(comment.parent_id)
        expected = (f"{parent.path}/" if parent else "") + f"{comment.pk:010d}"
        assert comment.path == expected
        assert comment.depth == (parent.depth + 1 if parent else 0)
        assert comment.depth < settings.COMMENTS_MAX_DEPTH
        assert comment.reply_to_id == comment.parent_id
        assert parent is None or parent.article_id == comment.article_id


def test_thread_order_is_posting_order_within_each_parent():
    load()
    article = Article.objects.get(slug="bench-150-comments")
    seen: dict = {}
    for comment in article.comments.order_by("path"):
        assert comment.parent_id is None or comment.parent_id in seen
        previous = seen.get(("sibling", comment.parent_id))
        assert previous is None or previous < comment.created_at
        seen[comment.pk] = True
        seen[("sibling", comment.parent_id)] = comment.created_at


def test_threads_have_replies_down_to_the_deepest_level():
    load()
    article = Article.objects.get(slug="bench-150-comments")
    top_level = article.comments.filter(parent=None).count()
    assert 20 < top_level < 100
    assert article.comments.filter(depth=settings.COMMENTS_MAX_DEPTH - 1).exists()


def test_running_it_again_changes_nothing():
    load()
    before = list(Comment.objects.order_by("pk").values_list("pk", "path"))
    load()
    assert list(Comment.objects.order_by("pk").values_list("pk", "path")) == before


def test_an_article_that_no_longer_matches_is_rebuilt():
    load()
    Comment.objects.filter(article__slug="bench-30-comments").order_by("-path")[0].delete()
    load()
    article = Article.objects.get(slug="bench-30-comments")
    assert article.comments.approved().count() == article.comment_count == 30


def test_the_posting_article_is_emptied_on_every_run():
    load()
    posting = Article.objects.get(slug="bench-posting")
    make_comment(article=posting)
    load()
    posting.refresh_from_db()
    assert posting.comments.count() == posting.comment_count == 0
    assert posting.comment_moderation == "none"


def test_default_sizes_are_200_10000_and_100000(monkeypatch):
    from comments.management.commands import load_bench

    assert load_bench.DEFAULT_SIZES == (200, 10_000, 100_000)
    monkeypatch.setattr(load_bench, "DEFAULT_SIZES", (200, 300))  # the suite's patience
    load(sizes=None)
    bench = Article.objects.filter(section__slug="bench")
    counts = dict(bench.values_list("slug", "comment_count"))
    assert counts == {
        "bench-200-comments": 200,
        "bench-300-comments": 300,
        "bench-posting": 0,
        "bench-breaking": 200,
        "bench-desk": 0,  # its 500 comments are pending: none counts
    }
    assert Comment.objects.filter(article__slug="bench-300-comments").count() == 300


def test_comments_posted_after_a_load_get_new_ids():
    """The loaded comments' ids are taken up front: the database's sequence must be
    past them, or the next comment posted collides with one."""
    load()
    largest = Comment.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert make_comment().pk > largest


def test_the_breaking_story_is_back_to_200_comments_on_every_run():
    load()
    breaking = Article.objects.get(slug="bench-breaking")
    make_comment(breaking)
    load()
    breaking.refresh_from_db()
    assert breaking.comment_count == breaking.comments.count() == 200


def test_bad_sizes_are_refused():
    with pytest.raises(CommandError):
        load(sizes="200,lots")


def test_the_desk_queue_holds_500_pending_guest_comments_once(client, tmp_path):
    load()
    load()
    desk = Article.objects.get(slug="bench-desk")
    assert desk.comments.filter(status=Comment.Status.PENDING).count() == 500
    assert desk.comment_count == 0


def test_the_moderator_session_opens_the_desk(client, tmp_path):
    session = tmp_path / "session"
    call_command("load_bench", sizes="30", moderator_session=str(session), stdout=StringIO())
    client.cookies[settings.SESSION_COOKIE_NAME] = session.read_text()
    response = client.get("/moderate/")
    assert response.status_code == 200
    assert "Pending" in response.content.decode()


def test_the_reader_session_is_a_plain_reader_with_likes_who_gets_the_shared_copy(
    client, tmp_path, settings
):
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = settings.COMMENTS_THREADS_CACHE_TIMEOUT = 300
    session = tmp_path / "session"
    call_command("load_bench", sizes="30", reader_session=str(session), stdout=StringIO())
    call_command("load_bench", sizes="30", reader_session=str(session), stdout=StringIO())
    client.cookies[settings.SESSION_COOKIE_NAME] = session.read_text()
    assert client.get("/moderate/").status_code in (302, 403)
    article = Article.objects.get(slug="bench-30-comments")
    # Every 10th of 30 comments, once however often it runs.
    assert CommentLike.objects.filter(comment__article=article).count() == 3
    assert sum(article.comments.values_list("like_count", flat=True)) == 3
    client.get(article.get_absolute_url())
    response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    assert response.content.decode().count('aria-pressed="true"') == 3
