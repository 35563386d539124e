"""Cookie flags: scripts cannot read the session or identity cookies, other sites'
requests do not carry them (SameSite=Lax), and production sends them over HTTPS only."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import make_article, make_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def account(db):
    user = make_user("cookie", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def log_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_session_cookie_is_http_only_and_same_site_lax(client, account):
    cookie = log_in(client, account).cookies["sessionid"]

    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]  # DEBUG on: plain-HTTP development


def test_production_cookies_are_https_only(client, account, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client.get(reverse("account_login"))
    response = log_in(client, account)

    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["csrftoken"]["secure"] is True
    assert response.cookies["csrftoken"]["samesite"] == "Lax"


def test_voter_cookie_is_http_only_lax_and_https_only_in_production(client, db, settings):
    settings.SESSION_COOKIE_SECURE = True
    cookie = client.get(make_article().get_absolute_url()).cookies["voter"]

    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is True


def test_logging_in_rotates_the_session_key(client, account):
    client.get(make_article().get_absolute_url())
    client.session.save()
    before = client.session.session_key
    log_in(client, account)

    assert client.session.session_key != before
