"""One wording for getting in, on every account page: "Log in", "Sign up", "Log out"
(as the masthead says), never allauth's "Sign In", "Signup", "Sign Up", "Remember Me"."""

import html
import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from tests.accounts.conftest import PASSWORD

# Looked for in what readers read (text and the title), not in URLs (/accounts/signup/).
OTHER_WORDINGS = re.compile(
    r"(?i:\bsign[ -]?(?:in|out)\b|\bsignups?\b|\blogin\b)|\bSign Up\b|\bRemember Me\b"
)
LOGGED_OUT_PAGES = [
    "account_signup",
    "account_login",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]
LOGGED_IN_PAGES = ["account_logout", "account_email", "account_change_password"]


def visible_text(response) -> str:
    page = response.content.decode()
    return html.unescape(re.sub(r"<[^>]*>", " ", page))


def title_and_heading(response) -> tuple[str, str]:
    page = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    return html.unescape(title).strip(), heading.strip()


def test_log_in_page_says_log_in(client, db, settings):
    response = client.get(reverse("account_login"))

    assert title_and_heading(response) == (f"Log in · {settings.SITE_NAME}", "Log in")
    assertContains(response, '<button class="button" type="submit">Log in</button>', html=True)


def test_sign_up_page_says_sign_up(client, db, settings):
    response = client.get(reverse("account_signup"))

    assert title_and_heading(response) == (f"Sign up · {settings.SITE_NAME}", "Sign up")
    assertContains(response, '<button class="button" type="submit">Sign up</button>', html=True)


def test_remember_me_is_in_sentence_case(client, db):
    text = visible_text(client.get(reverse("account_login")))

    assert "Remember me" in text
    assert "Remember Me" not in text


@pytest.mark.parametrize("name", LOGGED_OUT_PAGES)
def test_logged_out_account_pages_use_no_other_wording(client, db, name):
    text = visible_text(client.get(reverse(name)))

    assert [m.group() for m in OTHER_WORDINGS.finditer(text)] == []


@pytest.mark.parametrize("name", LOGGED_IN_PAGES)
def test_logged_in_account_pages_use_no_other_wording(client, verified_user, name):
    client.force_login(verified_user)

    text = visible_text(client.get(reverse(name)))

    assert [m.group() for m in OTHER_WORDINGS.finditer(text)] == []


def test_log_out_page_says_log_out(client, verified_user, settings):
    client.force_login(verified_user)

    response = client.get(reverse("account_logout"))

    assert title_and_heading(response) == (f"Log out · {settings.SITE_NAME}", "Log out")


def test_logging_in_and_out_confirm_in_the_same_words(client, verified_user):
    logged_in = client.post(
        reverse("account_login"), {"login": verified_user.email, "password": PASSWORD}, follow=True
    )
    assertContains(logged_in, "You are logged in as Vera Fied.")

    assertContains(client.post(reverse("account_logout"), follow=True), "You have logged out.")
