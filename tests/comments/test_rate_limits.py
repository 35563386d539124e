"""Rate limits on posting, likes and flags: 429 with Retry-After from the API, a
friendly error on the page with the reader's text kept."""

import contextlib
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from rest_framework.test import APIClient

from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

GUEST = {"body": "Well reported.", "name": "Ann", "email": "ann@example.com"}


def api_post(client, article, **data):
    return client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {**GUEST, **{k: v for k, v in data.items() if k != "REMOTE_ADDR"}},
        format="json",
        REMOTE_ADDR=data.get("REMOTE_ADDR", "203.0.113.1"),
    )


def test_third_post_in_a_minute_gets_429_with_retry_after(api_client, settings):
    settings.COMMENTS_RATE_LIMIT = "2/m"
    article = make_article()
    assert [api_post(api_client, article).status_code for _ in range(2)] == [201, 201]
    response = api_post(api_client, article)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "posting too fast" in response.json()["detail"]
    assert Comment.objects.count() == 2


def test_a_banned_poster_over_the_limit_is_told_of_the_ban(api_client, settings):
    """The post is counted before the ban is checked (one round trip for both), but the
    ban still answers first."""
    from comments.models import Ban

    settings.COMMENTS_RATE_LIMIT = "1/m"
    article = make_article()
    assert api_post(api_client, article).status_code == 201
    Ban.objects.create(kind=Ban.Kind.EMAIL, email=GUEST["email"])
    assert api_post(api_client, article).status_code == 403


def test_limit_per_email_holds_across_addresses(api_client, settings):
    settings.COMMENTS_RATE_LIMIT = "2/h"
    article = make_article()
    for address in ("203.0.113.1", "203.0.113.2"):
        assert api_post(api_client, article, REMOTE_ADDR=address).status_code == 201
    assert api_post(api_client, article, REMOTE_ADDR="203.0.113.3").status_code == 429


def test_limit_per_address_holds_across_emails(api_client, settings):
    settings.COMMENTS_RATE_LIMIT = "2/h"
    article = make_article()
    for email in ("a@example.com", "b@example.com"):
        assert api_post(api_client, article, email=email).status_code == 201
    assert api_post(api_client, article, email="c@example.com").status_code == 429


def test_other_readers_are_not_limited_by_someone_else(api_client, settings):
    settings.COMMENTS_RATE_LIMIT = "1/h"
    article = make_article()
    api_post(api_client, article)
    other = api_post(api_client, article, email="b@example.com", REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 201


def test_page_form_over_the_limit_gets_429_a_friendly_error_and_keeps_the_text(client, settings):
    settings.COMMENTS_RATE_LIMIT = "1/h"
    article = make_article()
    url = f"/articles/{article.slug}/comments/post/"
    client.post(url, GUEST)
    response = client.post(url, {**GUEST, "body": "My carefully written second thought"})
    html = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "You are posting too fast. Please wait" in html
    assert "My carefully written second thought" in html
    assert Comment.objects.count() == 1


def test_likes_over_the_limit_get_429(settings):
    settings.LIKES_RATE_LIMIT = "1/h"
    first, second = make_comment(), make_comment()
    client = APIClient()
    assert client.post(f"/api/v1/comments/{first.pk}/like/").status_code == 200
    response = client.post(f"/api/v1/comments/{second.pk}/like/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_like_button_over_the_limit_redirects_with_a_message(client, settings):
    settings.LIKES_RATE_LIMIT = "1/h"
    first, second = make_comment(), make_comment()
    client.post(f"/comments/{first.pk}/like/")
    response = client.post(f"/comments/{second.pk}/like/")
    assert response.status_code == 303
    assert "too often" in str(list(get_messages(response.wsgi_request))[0])
    assert second.likes.count() == 0


def test_flags_over_the_limit_get_429(settings):
    settings.FLAGS_RATE_LIMIT = "1/h"
    first, second = make_comment(), make_comment()
    client = APIClient()
    client.post(f"/api/v1/comments/{first.pk}/flag/", {"reason": "spam"})
    response = client.post(f"/api/v1/comments/{second.pk}/flag/", {"reason": "spam"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert second.flags.count() == 0


def test_flag_page_over_the_limit_gets_429_and_keeps_the_note(client, settings):
    settings.FLAGS_RATE_LIMIT = "1/h"
    first, second = make_comment(), make_comment()
    client.post(f"/comments/{first.pk}/flag/", {"reason": "spam"})
    response = client.post(f"/comments/{second.pk}/flag/", {"reason": "abuse", "note": "Nasty"})
    assert response.status_code == 429
    assert "too often" in response.content.decode()
    assert "Nasty" in response.content.decode()


def test_cache_outage_fails_open_and_the_comment_is_posted(api_client, settings):
    settings.COMMENTS_RATE_LIMIT = "1/h"
    article = make_article()
    with contextlib.ExitStack() as broken:
        for method in ("incr", "count_hits"):  # counted one by one, or in one go (Redis)
            if hasattr(cache, method):
                broken.enter_context(mock.patch.object(cache, method, side_effect=ConnectionError))
        statuses = [api_post(api_client, article).status_code for _ in range(2)]
    assert statuses == [201, 201]
