import re

from allauth.account.models import EmailAddress
from django.urls import reverse
from pytest_django.asserts import assertContains

from accounts.models import User
from tests.accounts.conftest import PASSWORD

SIGNUP = {"email": "jane.doe@example.com", "password1": PASSWORD, "password2": PASSWORD}


def sign_up(client, **extra):
    return client.post(reverse("account_signup"), {**SIGNUP, **extra})


def confirmation_link(mail) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.body).group(1)


def test_signup_sends_exactly_one_verification_email(client, db, mailoutbox):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["jane.doe@example.com"]
    assert "/accounts/confirm-email/" in mailoutbox[0].body


def test_signup_does_not_log_in_before_verification(client, db, mailoutbox):
    sign_up(client)

    assert "_auth_user_id" not in client.session
    assert EmailAddress.objects.get(email="jane.doe@example.com").verified is False


def test_display_name_defaults_from_the_email_local_part(client, db, mailoutbox):
    sign_up(client)

    assert User.objects.get(email="jane.doe@example.com").display_name == "jane.doe"


def test_confirmation_link_shows_a_confirm_button_without_confirming(client, db, mailoutbox):
    sign_up(client)

    response = client.get(confirmation_link(mailoutbox[0]))

    assertContains(response, '<button class="button" type="submit">Confirm</button>', html=True)
    assert EmailAddress.objects.get(email="jane.doe@example.com").verified is False


def test_posting_the_confirmation_verifies_and_logs_in(client, db, mailoutbox):
    sign_up(client)

    response = client.post(confirmation_link(mailoutbox[0]))

    user = User.objects.get(email="jane.doe@example.com")
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_next_is_honoured_after_confirmation(client, db, mailoutbox):
    sign_up(client, next="/articles/some-story/#comments")

    response = client.post(confirmation_link(mailoutbox[0]))

    assert response["Location"] == "/articles/some-story/#comments"


def test_login_before_verification_is_refused(client, db, mailoutbox):
    sign_up(client)
    client.cookies.clear()

    response = client.post(
        reverse("account_login"), {"login": "jane.doe@example.com", "password": PASSWORD}
    )

    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_login_honours_next(client, verified_user):
    response = client.post(
        reverse("account_login"),
        {"login": verified_user.email, "password": PASSWORD, "next": "/articles/x/#comments"},
    )

    assert response["Location"] == "/articles/x/#comments"
    assert client.session["_auth_user_id"] == str(verified_user.pk)


def test_login_ignores_a_next_on_another_site(client, verified_user):
    response = client.post(
        reverse("account_login"),
        {"login": verified_user.email, "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response["Location"] == "/"


def test_verification_email_names_the_site(client, db, mailoutbox, settings):
    sign_up(client)

    assert f"Hello from {settings.SITE_NAME}!" in mailoutbox[0].body
