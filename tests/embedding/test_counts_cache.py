"""Counts are kept in the cache by the site's engagement generation (embedding.counts):
a repeat costs no query, and a change shows in the very next answer."""

import pytest

from articles.services import article_outside_get_or_create
from comments import services
from comments.models import Comment
from embedding import counts
from ratings.services import rating_set
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db
URLS = [f"https://host.example/story/{n}" for n in range(50)]


@pytest.fixture
def pages(site):
    return [article_outside_get_or_create(url=url, title=url)[0] for url in URLS[:40]]


def ask(client, urls=URLS):
    return client.get("/api/v1/counts/", {"url": urls})


def comment_count(client, url=URLS[0]):
    return ask(client, [url]).json()["results"][0]["comment_count"]


def test_a_repeat_costs_no_query(pages, client, django_assert_num_queries):
    first = ask(client)
    # Nothing: the generation and the answer come from the cache.
    with django_assert_num_queries(0):
        again = ask(client)
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]


def test_another_set_of_pages_is_an_answer_of_its_own(pages, client):
    ask(client, URLS[:2])
    assert len(ask(client, URLS[:3]).json()["results"]) == 3


def test_a_new_approved_comment_shows_at_once(pages, client, committed):
    assert comment_count(client) == 0
    with committed():
        make_comment(pages[0])
    assert comment_count(client) == 1


def test_a_comment_approved_by_a_moderator_shows_at_once(pages, client, committed, moderator):
    with committed():
        held = make_comment(pages[0], status=Comment.Status.PENDING)
    assert comment_count(client) == 0
    with committed():
        services.comment_approve(comment=held, by=moderator)
    assert comment_count(client) == 1


def test_a_vote_shows_at_once(pages, client, committed):
    before = ask(client, [URLS[0]]).json()["results"][0]["rating"]
    with committed():
        rating_set(article=pages[0], voter="v:1", stars=4, enforce_limits=False)
    after = ask(client, [URLS[0]]).json()["results"][0]["rating"]
    assert (before, after) == ({"average": 0, "count": 0}, {"average": 4.0, "count": 1})


def test_a_page_made_after_the_answer_was_kept_shows(site, client, committed):
    new = "https://host.example/new"
    assert ask(client, [new]).json()["results"][0]["slug"] is None
    with committed():
        page, _ = article_outside_get_or_create(url=new, title="New")
    assert ask(client, [new]).json()["results"][0]["slug"] == page.slug


def test_a_deleted_article_leaves_the_answer(client, committed):
    article = make_article()
    assert client.get("/api/v1/counts/", {"slug": article.slug}).json()["results"][0]["slug"]
    with committed():
        article.delete()
    answer = client.get("/api/v1/counts/", {"slug": article.slug}).json()["results"][0]
    assert answer["slug"] is None


def test_nothing_of_the_signed_in_caller_is_read_or_kept(
    pages, client, reader, django_assert_num_queries
):
    anonymous = ask(client).json()
    client.force_login(reader)
    # Nothing: no session, user or Bearer token is read for counts.
    with django_assert_num_queries(0):
        signed_in = ask(client, URLS).json()
    assert signed_in == anonymous
    for row in anonymous["results"]:
        assert set(row) == {"url", "slug", "comment_count", "rating"}
        assert set(row["rating"]) == {"average", "count"}


def test_a_bad_bearer_token_does_not_matter_to_counts(pages, client):
    response = client.get("/api/v1/counts/", {"url": URLS[:1]}, HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 200


def test_with_the_cache_down_counts_are_still_answered(pages, client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(counts.cache, "get_many", down)
    monkeypatch.setattr(counts.cache, "get", down)
    assert len(ask(client).json()["results"]) == 50
