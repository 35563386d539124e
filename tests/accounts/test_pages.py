import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

# Every allauth page renders inside the site's layout (masthead, footer) with the
# account card heading.
LOGGED_OUT_PAGES = [
    "account_signup",
    "account_login",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]
LOGGED_IN_PAGES = ["account_logout", "account_email", "account_change_password"]


def assert_in_site_layout(response):
    assert response.status_code == 200
    assertContains(response, '<header class="masthead">')
    assertContains(response, '<header class="page-header account-page">')
    assertContains(response, 'class="site-footer"')


@pytest.mark.parametrize("name", LOGGED_OUT_PAGES)
def test_logged_out_account_pages_use_the_site_layout(client, db, name):
    assert_in_site_layout(client.get(reverse(name)))


@pytest.mark.parametrize("name", LOGGED_IN_PAGES)
def test_logged_in_account_pages_use_the_site_layout(client, verified_user, name):
    client.force_login(verified_user)

    assert_in_site_layout(client.get(reverse(name)))


def test_bad_confirmation_link_page_uses_the_site_layout(client, db):
    assert_in_site_layout(client.get(reverse("account_confirm_email", args=["nonsense"])))


def test_bad_password_reset_link_page_uses_the_site_layout(client, db):
    response = client.get(reverse("account_reset_password_from_key", args=["1", "bad-key"]))

    assert_in_site_layout(response)
    assertContains(response, "Bad Token")


def test_account_page_title_names_the_page_and_site(client, db, settings):
    response = client.get(reverse("account_login"))

    assertContains(response, f"<title>Log in · {settings.SITE_NAME}</title>")
