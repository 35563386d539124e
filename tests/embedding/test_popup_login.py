"""The "Log in with newsite" popup (/embed/login/): allauth's log-in in a first-party
window, a confirmation, then a session token handed to the embed site's page only."""

import re

import pytest
from allauth.account.models import EmailAddress

from embedding.services import embed_site_add
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db
HOST = "https://host.example"
POPUP = f"/embed/login/?origin={HOST}"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def account(db):
    user = make_user("popper", display_name="Pop Reader")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def token_of(response) -> str:
    match = re.search(r'data-token="([^"]+)"', response.content.decode())
    return match[1] if match else ""


def handed_over(client, user) -> str:
    client.force_login(user)
    return token_of(client.post(POPUP, {"continue": "1"}))


def test_an_origin_that_may_not_embed_gets_no_log_in(site, client, account):
    client.force_login(account)
    response = client.post("/embed/login/?origin=https://evil.example", {"continue": "1"})
    assert response.status_code == 400
    assert "data-token" not in response.content.decode()


def test_a_reader_not_signed_in_gets_allauths_log_in_form_in_the_popup(site, client):
    response = client.get(POPUP)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
    # Not the site's same-origin: that would cut the popup from the page that opened it.
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert "no-cache" in response["Cache-Control"]


def test_logging_in_comes_back_to_the_popup(site, client, account):
    response = client.post(POPUP, {"login": account.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == POPUP


def test_a_signed_in_reader_is_asked_before_any_token_is_made(site, client, account):
    client.force_login(account)
    response = client.get(POPUP)
    page = response.content.decode()
    assert "Pop Reader" in page and HOST in page
    assert "data-token" not in page


def test_continuing_hands_the_token_to_the_sites_origin_only(site, client, account):
    client.force_login(account)
    response = client.post(POPUP, {"continue": "1"})
    page = response.content.decode()
    assert f'data-origin="{HOST}"' in page
    assert token_of(response)
    # No inline script: the hand-over is a static file.
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []


def test_the_token_posts_under_the_account_from_the_sites_pages(site, client, api_client, account):
    token = handed_over(client, account)
    article = make_article(comment_moderation="none")
    response = api_client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"body": "From the host's page"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ORIGIN=HOST,
    )
    assert response.status_code == 201
    assert response.json()["author"]["name"] == "Pop Reader"
    assert article.comments.get().user == account


def test_the_token_is_refused_from_another_sites_pages(site, client, api_client, account):
    embed_site_add(origin="https://other.example")
    token = handed_over(client, account)
    response = api_client.get(
        "/api/v1/articles/",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ORIGIN="https://other.example",
    )
    assert response.status_code == 401


def test_a_password_change_ends_the_token(site, client, api_client, account):
    token = handed_over(client, account)
    account.set_password("another horse battery staple")
    account.save()
    response = api_client.get("/api/v1/articles/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_staff_get_no_token(site, client, moderator):
    client.force_login(moderator)
    response = client.post(POPUP, {"continue": "1"})
    assert "data-token" not in response.content.decode()
    assert "Staff accounts" in response.content.decode()
