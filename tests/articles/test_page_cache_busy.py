"""A busy article (issue 19's breaking story): every new comment moves its version, and
while one request draws the new copy the other readers get the copy before, if it is
fresh enough; a reader alone always gets the new version."""

import pytest
from django.test import Client

from articles import cache as page_cache
from articles import drawing
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 300
    settings.ARTICLES_PAGE_STALE_SECONDS = 5
    settings.COMMENTS_MODERATION = "none"


@pytest.fixture
def article(committed):
    article = make_article()
    with committed():
        make_comment(article, body="The first word")
    return article


def view(article):
    response = Client().get(article.get_absolute_url())
    assert response.status_code == 200
    return response


def drawing_elsewhere(article):
    """Another request has claimed the drawing of the article's current version."""
    article.refresh_from_db()
    request = Client().get("/").wsgi_request
    key = page_cache.page_key(request, article)
    assert drawing.claim_drawing(key)
    return key


def test_while_another_request_draws_the_new_version_readers_get_the_one_before(article, committed):
    view(article)
    with committed():
        make_comment(article, body="Breaking news in the comments")
    drawing_elsewhere(article)
    response = view(article)
    assert response["X-Page-Cache"] == "stale"
    assert "The first word" in response.content.decode()
    assert "Breaking news in the comments" not in response.content.decode()


def test_a_reader_alone_gets_the_new_version_at_once(article, committed):
    view(article)
    with committed():
        make_comment(article, body="Breaking news in the comments")
    response = view(article)
    assert response["X-Page-Cache"] == "miss"
    assert "Breaking news in the comments" in response.content.decode()
    assert view(article)["X-Page-Cache"] == "hit"  # and the drawing was released


def test_a_copy_older_than_the_limit_is_never_served(article, committed, settings, monkeypatch):
    view(article)
    with committed():
        make_comment(article, body="Breaking news in the comments")
    drawing_elsewhere(article)
    later = drawing.wall_seconds() + settings.ARTICLES_PAGE_STALE_SECONDS + 1
    monkeypatch.setattr(drawing, "wall_seconds", lambda: later)
    response = view(article)
    assert response["X-Page-Cache"] == "miss"
    assert "Breaking news in the comments" in response.content.decode()


def test_with_no_copy_before_the_reader_draws_it(article):
    drawing_elsewhere(article)
    response = view(article)
    assert response["X-Page-Cache"] == "miss"
    assert "The first word" in response.content.decode()


# --- A busy article: at most one copy a redraw interval -----------------------------------
def post_and_view(article, committed, body):
    with committed():
        make_comment(article, body=body)
    return view(article)


def test_a_busy_article_serves_its_last_copy_within_the_redraw_interval(article, committed):
    for n in range(3):  # three new versions drawn within three intervals: busy
        assert post_and_view(article, committed, f"Update {n}")["X-Page-Cache"] == "miss"
    response = post_and_view(article, committed, "Too soon to draw")
    assert response["X-Page-Cache"] == "busy"
    assert "Update 2" in response.content.decode()
    assert "Too soon to draw" not in response.content.decode()


def test_a_busy_article_is_drawn_again_after_the_interval(
    article, committed, settings, monkeypatch
):
    for n in range(3):
        post_and_view(article, committed, f"Update {n}")
    with committed():
        make_comment(article, body="Drawn next time")
    later = drawing.wall_seconds() + settings.ARTICLES_PAGE_REDRAW_MS / 1000
    monkeypatch.setattr(drawing, "wall_seconds", lambda: later)
    response = view(article)
    assert response["X-Page-Cache"] == "miss"
    assert "Drawn next time" in response.content.decode()


def test_an_article_with_a_comment_now_and_then_is_never_busy(
    article, committed, settings, monkeypatch
):
    clock = [drawing.wall_seconds()]
    monkeypatch.setattr(drawing, "wall_seconds", lambda: clock[0])
    for n in range(3):  # one new version every two intervals
        clock[0] += 2 * settings.ARTICLES_PAGE_REDRAW_MS / 1000
        post_and_view(article, committed, f"Update {n}")
    clock[0] += 0.1
    response = post_and_view(article, committed, "Shown at once")
    assert response["X-Page-Cache"] == "miss"
    assert "Shown at once" in response.content.decode()


def test_the_redraw_interval_can_be_turned_off(article, committed, settings):
    settings.ARTICLES_PAGE_REDRAW_MS = 0
    for n in range(4):
        assert post_and_view(article, committed, f"Update {n}")["X-Page-Cache"] == "miss"
