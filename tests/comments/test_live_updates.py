"""Live updates (issue 18): ``GET /api/v1/articles/<slug>/comments/?after=<id>`` lists what
arrived since the client's largest id, and an open page polls it (a 304 from the cache
alone while nothing changed)."""

import re

import pytest
from django.test import Client

from articles import cache as page_cache
from articles import versions
from comments import services
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(committed):
    with committed():
        article = make_article()
        make_comment(article, body="The first word")
    return article


def url(article, after, **params):
    query = "&".join(f"{k}={v}" for k, v in {"after": after, **params}.items())
    return f"/api/v1/articles/{article.slug}/comments/?{query}"


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# --- The list ----------------------------------------------------------------------------
def test_after_lists_only_newer_comments_oldest_first_by_id(client, article):
    first = article.comments.get()
    second = make_comment(article, body="Second")
    reply = make_comment(article, parent=first, body="A reply to the first")
    third = make_comment(article, body="Third")
    response = client.get(url(article, first.pk))
    assert response.status_code == 200
    assert ids(response) == [second.pk, reply.pk, third.pk]


def test_after_gives_parent_and_depth_in_the_lists_shape(client, article):
    first = article.comments.get()
    reply = make_comment(article, parent=first, body="A reply")
    row = client.get(url(article, first.pk)).json()["results"][0]
    assert (row["id"], row["parent"], row["depth"]) == (reply.pk, first.pk, 1)
    whole = client.get(f"/api/v1/articles/{article.slug}/comments/").json()["results"]
    assert row == next(r for r in whole if r["id"] == reply.pk)


def test_after_lists_no_pending_or_rejected_comments(client, article):
    first = article.comments.get()
    make_comment(article, body="Held", status=Comment.Status.PENDING)
    make_comment(article, body="Refused", status=Comment.Status.REJECTED)
    shown = make_comment(article, body="Published")
    assert ids(client.get(url(article, first.pk))) == [shown.pk]


def test_after_with_nothing_newer_is_an_empty_page(client, article):
    newest = article.comments.get()
    body = client.get(url(article, newest.pk)).json()
    assert (body["count"], body["results"], body["next"]) == (0, [], None)


def test_after_carries_the_articles_comment_count(client, article):
    first = article.comments.get()
    make_comment(article, body="Second")
    assert client.get(url(article, first.pk)).json()["comment_count"] == 2
    assert "comment_count" not in client.get(f"/api/v1/articles/{article.slug}/comments/").json()


def test_after_is_paginated_like_the_list(client, article):
    made = [make_comment(article, body=f"New {n}").pk for n in range(3)]
    first = client.get(url(article, 0, page_size=2)).json()
    assert first["count"] == 4
    assert [r["id"] for r in first["results"]][1:] == made[:1]
    second = client.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == made[1:]


def test_after_ignores_the_ordering(client, article):
    first = article.comments.get()
    older = make_comment(article, body="Older")
    newer = make_comment(article, body="Newer")
    assert ids(client.get(url(article, first.pk, ordering="newest"))) == [older.pk, newer.pk]


@pytest.mark.parametrize("bad", ["ten", "-1", "1.5", "", "99999999999999999999"])
def test_bad_after_is_a_400_naming_it(client, article, bad):
    response = client.get(url(article, bad))
    assert response.status_code == 400
    assert list(response.json()) == ["after"]


def test_after_with_featured_is_a_400(client, article):
    response = client.get(url(article, 0, featured=1))
    assert response.status_code == 400
    assert "featured" in response.json()


def test_after_on_an_unpublished_article_is_a_404(client):
    draft = make_article(status="draft")
    assert client.get(url(draft, 0)).status_code == 404


# --- Conditional GET from the cache -------------------------------------------------------
def test_unchanged_poll_answers_304_without_a_query(client, article, django_assert_num_queries):
    newest = article.comments.get()
    etag = client.get(url(article, newest.pk))["ETag"]
    with django_assert_num_queries(0):
        response = client.get(url(article, newest.pk), headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_unchanged_poll_of_a_signed_in_reader_costs_no_query_either(
    article, django_assert_num_queries
):
    reader = Client()
    reader.force_login(make_user())
    newest = article.comments.get()
    etag = reader.get(url(article, newest.pk))["ETag"]
    # Nobody asks who the reader is: neither the session nor the account is loaded.
    with django_assert_num_queries(0):
        response = reader.get(url(article, newest.pk), headers={"if-none-match": etag})
    assert response.status_code == 304


def test_first_poll_after_a_cache_miss_reads_the_article_once(
    client, article, django_assert_num_queries
):
    newest = article.comments.get()
    etag = client.get(url(article, newest.pk))["ETag"]
    versions.forget_version(article.pk)
    headers = {"if-none-match": etag}
    # 1. the article (its version is on the row); it is cached again for the next poll.
    with django_assert_num_queries(1):
        assert client.get(url(article, newest.pk), headers=headers).status_code == 304
    with django_assert_num_queries(0):
        assert client.get(url(article, newest.pk), headers=headers).status_code == 304


def test_304_varies_on_accept_as_the_200_does(client, article):
    newest = article.comments.get()
    first = client.get(url(article, newest.pk))
    again = client.get(url(article, newest.pk), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert "Accept" in again["Vary"] and "Accept" in first["Vary"]


def test_bad_token_is_refused_even_with_a_current_etag(client, article):
    newest = article.comments.get()
    etag = client.get(url(article, newest.pk))["ETag"]
    bad = {"authorization": "Token not-a-real-token"}
    refused = client.get(url(article, newest.pk), headers=bad)
    assert refused.status_code in (401, 403)
    again = client.get(url(article, newest.pk), headers={**bad, "if-none-match": etag})
    assert again.status_code == refused.status_code


def test_if_none_match_star_does_not_hide_a_bad_query(client, article):
    client.get(url(article, 0))  # the version record is cached
    response = client.get(url(article, "ten"), headers={"if-none-match": "*"})
    assert response.status_code == 400


def test_a_new_comment_ends_the_304s(client, article, committed):
    newest = article.comments.get()
    etag = client.get(url(article, newest.pk))["ETag"]
    with committed():
        arrived = make_comment(article, body="Just in")
    response = client.get(url(article, newest.pk), headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert ids(response) == [arrived.pk]
    assert response.json()["comment_count"] == 2


@pytest.mark.parametrize(
    "change",
    [
        lambda c: services.comment_edit(comment=c, body="Edited text"),
        lambda c: services.comment_like(comment=c, voter="g:x"),
    ],
    ids=["edit", "like"],
)
def test_an_edit_or_a_like_ends_the_304s(client, article, committed, change):
    newest = article.comments.get()
    etag = client.get(url(article, newest.pk))["ETag"]
    with committed():
        change(newest)
    assert client.get(url(article, newest.pk), headers={"if-none-match": etag}).status_code == 200


def test_a_late_approval_moves_the_count_though_its_id_is_older(
    client, article, committed, moderator
):
    held = make_comment(article, body="Held for review", status=Comment.Status.PENDING)
    with committed():
        later = make_comment(article, body="Published meanwhile")
    first = client.get(url(article, later.pk))
    assert first.json()["comment_count"] == 2
    with committed():
        services.comment_approve(comment=held, by=moderator)
    again = client.get(url(article, later.pk), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert (again.json()["results"], again.json()["comment_count"]) == ([], 3)


def test_unpublished_article_is_a_404_not_a_304(client, article, committed):
    newest = article.comments.get()
    etag = client.get(url(article, newest.pk))["ETag"]
    with committed():
        article.unpublish()
    assert client.get(url(article, newest.pk), headers={"if-none-match": etag}).status_code == 404


def test_cached_record_expires_with_its_timeout(client, article, settings):
    settings.ARTICLES_VERSION_CACHE_TIMEOUT = 0
    newest = article.comments.get()
    etag = client.get(url(article, newest.pk))["ETag"]
    assert versions.cached_version(article.slug) is None
    # Off: every poll reads the article, so a change elsewhere shows at once.
    type(article).objects.filter(pk=article.pk).update(status="draft")
    assert client.get(url(article, newest.pk), headers={"if-none-match": etag}).status_code == 404


def test_record_of_another_process_is_bounded_by_the_timeout(client, article):
    """A record filled before a change that this process never heard of (another
    worker's bump, with a per-process cache) answers 304 until it expires, then 404."""
    newest = article.comments.get()
    headers = {"if-none-match": client.get(url(article, newest.pk))["ETag"]}
    type(article).objects.filter(pk=article.pk).update(status="draft")  # no bump here
    assert client.get(url(article, newest.pk), headers=headers).status_code == 304
    # The timeout passes: the cache's entry and this process's copy of it are gone.
    page_cache.cache.delete(versions._version_key(article.pk))
    versions._local.clear()
    assert client.get(url(article, newest.pk), headers=headers).status_code == 404


def test_a_renamed_articles_old_address_is_not_answered_from_the_record(client, article, committed):
    """Records are kept by the article's id: the old slug's pointer still leads to it,
    but a record of another slug is not trusted."""
    newest = article.comments.get()
    old_url, old_slug = url(article, newest.pk), article.slug
    headers = {"if-none-match": client.get(old_url)["ETag"]}
    with committed():
        article.slug = "renamed-story"
        article.save()
    assert client.get(url(article, newest.pk)).status_code == 200  # the new record
    assert versions.cached_version(old_slug) is None
    assert client.get(old_url, headers=headers).status_code == 404


def test_a_bump_in_another_process_reaches_this_one_within_a_second(
    client, article, committed, monkeypatch
):
    """Redis is shared, but each process keeps what it read for a second."""
    newest = article.comments.get()
    headers = {"if-none-match": client.get(url(article, newest.pk))["ETag"]}
    # Another process's bump: the row and the shared entry move, not this process's copy.
    type(article).objects.filter(pk=article.pk).update(engagement_version=99)
    page_cache.cache.delete(versions._version_key(article.pk))
    assert client.get(url(article, newest.pk), headers=headers).status_code == 304
    later = versions.monotonic() + 1.01
    monkeypatch.setattr(versions, "monotonic", lambda: later)
    assert client.get(url(article, newest.pk), headers=headers).status_code == 200


# --- The page -------------------------------------------------------------------------------
def section(client, article) -> str:
    return client.get(article.get_absolute_url()).content.decode()


def test_open_article_page_offers_live_updates_and_the_write_link(client, article, settings):
    settings.COMMENTS_POLL_MS = 2500
    html = section(client, article)
    assert re.search(r'data-live-url="/api/v1/articles/[^"]+/comments/"', html)
    assert 'data-poll-ms="2500"' in html
    assert re.search(r'<a [^>]*href="#respond"[^>]*>Write a comment</a>', html)
    assert 'role="status"' in html and "data-live-region" in html


def test_closed_article_page_has_no_polling_and_no_write_link(client, committed):
    with committed():
        article = make_article()
        make_comment(article, body="Said before the close")
        article.close_comments()
    html = section(client, article)
    assert "data-live-url" not in html
    assert "Write a comment" not in html
    assert "Said before the close" in html
