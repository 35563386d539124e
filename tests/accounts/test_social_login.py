"""Social log-in on newsite's own pages (django-allauth's socialaccount), with the
provider's side mocked: no network."""

import json
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount

from accounts.models import User

pytestmark = pytest.mark.django_db
GITHUB = {"github": {"APPS": [{"client_id": "cid", "secret": "shh"}]}}


def fake_github(method, url, *args, **kwargs):
    answers = {
        "https://github.com/login/oauth/access_token": {
            "access_token": "tok",
            "token_type": "bearer",
        },
        "https://api.github.com/user": {"id": 4242, "login": "octo", "name": "Octo Cat"},
        "https://api.github.com/user/emails": [
            {"email": "octo@example.com", "primary": True, "verified": True}
        ],
    }
    response = requests.Response()
    response.status_code = 200
    response.headers["content-type"] = "application/json"
    response._content = json.dumps(answers[url]).encode()
    return response


def test_no_provider_is_offered_by_default(client):
    assert "GitHub" not in client.get("/accounts/login/").content.decode()


def test_a_configured_provider_is_offered(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = GITHUB
    assert "GitHub" in client.get("/accounts/login/").content.decode()


def test_github_log_in_makes_a_signed_in_reader(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = GITHUB
    start = client.post("/accounts/github/login/")
    assert start.status_code == 302
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    with mock.patch.object(requests.Session, "request", side_effect=fake_github):
        done = client.get("/accounts/github/login/callback/", {"code": "c", "state": state})
    assert done.status_code == 302
    account = SocialAccount.objects.get(provider="github", uid="4242")
    assert account.user.email == "octo@example.com"
    assert client.get("/api/v1/articles/").wsgi_request.user == account.user


def test_github_log_in_never_takes_over_an_account_with_the_same_email(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = GITHUB
    User.objects.create_user(username="owner", email="octo@example.com", password="x" * 12)
    start = client.post("/accounts/github/login/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    with mock.patch.object(requests.Session, "request", side_effect=fake_github):
        client.get("/accounts/github/login/callback/", {"code": "c", "state": state})
    assert not SocialAccount.objects.filter(user__username="owner").exists()
