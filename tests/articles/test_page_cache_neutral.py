"""The shared article page is drawn as a neutral reader, whoever's request filled it
(issue 16): a reader whose voter cookie carries a vote or likes, or who sends a guest
edit token, must never put their own state into the copy everyone else is served."""

import re

import pytest
from django.test import Client

from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

PRESSED = r'/comments/{pk}/like/.*?aria-pressed="true"'


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 300
    settings.COMMENTS_MODERATION = "none"


@pytest.fixture
def article():
    return make_article(title="Harbour reopens")


def page(client, article, query=""):
    response = client.get(article.get_absolute_url() + query)
    assert response.status_code == 200
    return response


def quiet(client):
    """Drop the marker of an earlier write: the client now looks like a plain reader
    that still carries its voter cookie (an API client, or cleared site data)."""
    for name in list(client.cookies):
        if name != "voter":
            del client.cookies[name]
    return client


def test_voter_cookie_with_a_vote_does_not_put_their_rating_in_the_shared_page(article, committed):
    stuffer = Client()
    page(stuffer, article)
    with committed():
        stuffer.post(f"/articles/{article.slug}/rating/", {"stars": "1"})
    filled = page(quiet(stuffer), article)
    assert filled["X-Page-Cache"] == "miss"
    assert "Your rating:" not in filled.content.decode()
    served = page(Client(), article)
    assert served["X-Page-Cache"] == "hit"
    text = served.content.decode()
    assert "Your rating:" not in text
    assert not re.search(r'name="stars" value="\d"[^>]*checked', text)


def test_voter_cookie_with_likes_does_not_press_like_buttons_in_the_shared_page(article, committed):
    with committed():
        comment = make_comment(article)
    fan = Client()
    page(fan, article)
    with committed():
        fan.post(f"/comments/{comment.pk}/like/")
    assert page(quiet(fan), article)["X-Page-Cache"] == "miss"
    served = page(Client(), article)
    assert served["X-Page-Cache"] == "hit"
    assert not re.search(PRESSED.format(pk=comment.pk), served.content.decode(), re.S)


def test_comment_token_header_is_never_served_or_stored_as_the_shared_page(
    article, committed, api_client
):
    with committed():
        answer = api_client.post(
            f"/api/v1/articles/{article.slug}/comments/",
            {"body": "Mine to edit", "name": "Gus", "email": "gus@example.com"},
            format="json",
        )
    token, pk = answer.json()["edit_token"], answer.json()["id"]
    with_token = Client(headers={"X-Comment-Token": token})
    own = page(with_token, article)
    assert "X-Page-Cache" not in own
    assert f"/comments/{pk}/edit/" in own.content.decode()
    served = page(Client(), article)
    assert served["X-Page-Cache"] == "miss"
    assert f"/comments/{pk}/edit/" not in served.content.decode()


def test_authorization_header_is_not_served_the_shared_page(article):
    page(Client(), article)
    response = page(Client(headers={"Authorization": "Token abc"}), article)
    assert "X-Page-Cache" not in response


@pytest.mark.parametrize("odd", ["01", "0001", "999999"])
def test_odd_spellings_of_a_page_number_share_one_cached_copy(article, odd, committed):
    with committed():
        make_comment(article, body="Only page")
    assert page(Client(), article)["X-Page-Cache"] == "miss"
    assert page(Client(), article, f"?cpage={odd}")["X-Page-Cache"] == "hit"


def test_page_numbers_past_the_last_share_the_last_pages_copy(article, committed, settings):
    settings.COMMENTS_PAGE_SIZE = 1
    with committed():
        make_comment(article, body="First!")
        make_comment(article, body="Last word")
    assert page(Client(), article, "?cpage=2")["X-Page-Cache"] == "miss"
    beyond = page(Client(), article, "?cpage=999999")
    assert beyond["X-Page-Cache"] == "hit"
    assert "Last word" in beyond.content.decode()


@pytest.mark.parametrize("odd", ["٣", "²", "1.0", "-1", "1234567"])
def test_non_ascii_or_odd_page_numbers_render_but_are_not_cached(article, odd):
    response = page(Client(), article, f"?cpage={odd}")
    assert "X-Page-Cache" not in response


def test_pending_comments_are_not_counted_toward_the_page_bound(article, committed, settings):
    settings.COMMENTS_PAGE_SIZE = 1
    with committed():
        make_comment(article, body="Seen")
        make_comment(article, body="Held", status=Comment.Status.PENDING)
    assert page(Client(), article)["X-Page-Cache"] == "miss"
    assert page(Client(), article, "?cpage=2")["X-Page-Cache"] == "hit"
