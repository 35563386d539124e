"""Which language a page is drawn in: the profile, then the footer switcher's cookie,
then Accept-Language, then the site's LANGUAGE_CODE."""

import re

import pytest
from django.conf import settings
from django.test import Client

from accounts.languages import SESSION_KEY
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

HTML_LANG = re.compile(r'<html lang="([^"]+)" dir="ltr">')


def lang_of(response) -> str:
    assert response.status_code == 200
    return HTML_LANG.search(response.content.decode()).group(1)


def test_without_a_preference_the_page_is_in_the_site_language(client):
    assert lang_of(client.get("/")) == "en"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("sr-Latn", "sr-latn"), ("sr", "sr"), ("es-MX,es;q=0.9", "es"), ("fr", "en")],
)
def test_accept_language_picks_the_language(client, header, expected):
    assert lang_of(client.get("/", headers={"accept-language": header})) == expected


def test_the_switcher_cookie_overrides_accept_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert lang_of(client.get("/", headers={"accept-language": "sr"})) == "es"


def test_the_profile_setting_overrides_cookie_and_header(client):
    client.force_login(make_user(language="sr-latn"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert lang_of(client.get("/", headers={"accept-language": "sr"})) == "sr-latn"


def test_the_response_names_its_language(client):
    response = client.get("/", headers={"accept-language": "es"})
    assert response["Content-Language"] == "es"
    assert "Accept-Language" in response["Vary"]


def test_the_switcher_works_as_a_plain_form_and_returns_to_the_page(client):
    article = make_article()
    path = article.get_absolute_url()
    response = client.post("/i18n/setlang/", {"language": "sr", "next": path})
    assert response.status_code == 302
    assert response["Location"] == path
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sr"
    assert lang_of(client.get(path)) == "sr"


def test_the_switcher_keeps_the_query_of_the_page_it_was_sent_from(client):
    article = make_article()
    path = article.get_absolute_url()
    referer = f"http://testserver{path}?cpage=2"
    response = client.post(
        "/i18n/setlang/", {"language": "es", "next": path}, headers={"referer": referer}
    )
    assert response["Location"] == referer


def test_the_switcher_refuses_a_foreign_next(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_switching_saves_a_signed_in_readers_profile(client):
    reader = make_user()
    client.force_login(reader)
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    reader.refresh_from_db()
    assert reader.language == "es"
    assert client.session[SESSION_KEY] == "es"


def test_the_profile_page_sets_the_language(client):
    reader = make_user()
    client.force_login(reader)
    data = {"display_name": "Ana", "notify_replies": "on", "language": "sr"}
    response = client.post("/accounts/profile/", data, follow=True)
    reader.refresh_from_db()
    assert reader.language == "sr"
    assert lang_of(response) == "sr"


def test_as_my_browser_says_clears_the_profile_language(client):
    reader = make_user(language="es")
    client.force_login(reader)
    data = {"display_name": "Ana", "language": ""}
    client.post("/accounts/profile/", data)
    assert lang_of(client.get("/", headers={"accept-language": "sr"})) == "sr"


def test_the_profile_language_follows_the_reader_to_a_new_browser():
    reader = make_user(language="es")
    browser = Client()
    browser.force_login(reader)
    assert lang_of(browser.get("/")) == "es"


def test_the_switcher_is_in_the_footer_with_each_language_in_its_own_name(client):
    page = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert '<option value="sr" lang="sr">Српски (ћирилица)</option>' in page
    assert '<option value="en" lang="en" selected>English</option>' in page
