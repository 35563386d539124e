"""Conditional GET (ETag / Last-Modified) on the comments API list and the feeds."""

from datetime import timedelta

import pytest
from django.utils.http import http_date

from comments import attachments, services
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(committed):
    with committed():
        article = make_article()
        make_comment(article, body="The first word")
    return article


def api_url(article):
    return f"/api/v1/articles/{article.slug}/comments/"


def feed_url(article):
    return f"/articles/{article.slug}/comments/feed/"


@pytest.mark.parametrize("url", [api_url, feed_url])
def test_unchanged_list_answers_304_then_a_change_gives_200(client, article, committed, url):
    first = client.get(url(article))
    assert first.status_code == 200
    etag = first["ETag"]
    assert client.get(url(article), headers={"if-none-match": etag}).status_code == 304
    with committed():
        make_comment(article, body="A second word")
    fresh = client.get(url(article), headers={"if-none-match": etag})
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag
    assert b"A second word" in fresh.content


@pytest.mark.parametrize("url", [api_url, feed_url])
def test_if_modified_since_answers_304(client, article, url):
    last_modified = client.get(url(article))["Last-Modified"]
    response = client.get(url(article), headers={"if-modified-since": last_modified})
    assert response.status_code == 304
    assert response["ETag"]


def test_older_if_modified_since_gets_the_list(client, article):
    earlier = http_date((article.engagement_changed_at - timedelta(days=1)).timestamp())
    response = client.get(api_url(article), headers={"if-modified-since": earlier})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        lambda c: services.comment_edit(comment=c, body="Edited text"),
        lambda c: services.comment_delete(comment=c),
        lambda c: services.comment_like(comment=c, voter="g:x"),
    ],
    ids=["edit", "delete", "like"],
)
def test_each_change_moves_the_api_etag(client, article, committed, change):
    etag = client.get(api_url(article))["ETag"]
    with committed():
        change(article.comments.get())
    assert client.get(api_url(article), headers={"if-none-match": etag}).status_code == 200


def test_each_page_has_its_own_etag(client, article):
    one = client.get(api_url(article))["ETag"]
    two = client.get(api_url(article) + "?page=1&page_size=1")["ETag"]
    assert one != two


def test_unchanged_304_costs_no_query(client, article, django_assert_num_queries):
    etag = client.get(api_url(article))["ETag"]
    # None: the article's version record was cached by the first answer (issue 18); a
    # miss costs the article (tests/comments/test_live_updates.py).
    with django_assert_num_queries(0):
        assert client.get(api_url(article), headers={"if-none-match": etag}).status_code == 304


def test_articles_feed_answers_304_until_an_article_is_published(client, committed):
    make_article(title="Already out")
    first = client.get("/feeds/articles/")
    headers = {"if-none-match": first["ETag"]}
    assert client.get("/feeds/articles/", headers=headers).status_code == 304
    make_article(title="Just out")
    fresh = client.get("/feeds/articles/", headers=headers)
    assert fresh.status_code == 200
    assert b"Just out" in fresh.content


def test_articles_feed_etag_moves_with_an_edit(client):
    article = make_article(title="Before")
    etag = client.get("/feeds/articles/atom/")["ETag"]
    article.title = "After"
    article.save()
    assert client.get("/feeds/articles/atom/", headers={"if-none-match": etag}).status_code == 200


def test_fast_list_matches_the_serializer_exactly(rf):
    from comments.api.serializers import CommentSerializer, public_comments_data
    from comments.attachments import prepare
    from tests.comments import files
    from tests.factories import make_user

    article = make_article()
    parent = make_comment(article, body="Will be deleted")
    make_comment(article, parent=parent, body="A reply")
    make_comment(article, user=make_user(display_name="Registered Rita"))
    located = make_comment(article, location={"name": "Geneva", "latitude": 46.2, "longitude": 6.1})
    attachments.attachment_add(
        comment=located, prepared=prepare(files.upload(files.png_with_text(), "c.png"))
    )
    services.comment_edit(comment=located, body="Edited")
    services.comment_delete(comment=parent)
    request = rf.get("/", secure=True)
    comments = list(article.comments.public().for_page())
    expected = CommentSerializer(comments, many=True, context={"request": request}).data
    fast = public_comments_data(comments, article=article, request=request)
    assert [c["is_deleted"] for c in fast] == [True, False, False, False]
    assert fast == [dict(row) for row in expected]
