"""Sign-up, log-in and password reset never tell whether an address has an account."""

import re

from django.urls import reverse

from tests.accounts.conftest import PASSWORD


def page_text(response) -> str:
    """The page without what differs on every request (CSRF token, the masthead's clock,
    the echoed email)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'datetime="[^"]+"', "", html)
    return re.sub(r"[\w.+-]+@example\.com", "EMAIL", html)


def reset(client, email):
    return client.post(reverse("account_reset_password"), {"email": email}, follow=True)


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client, verified_user, mailoutbox
):
    known = reset(client, verified_user.email)
    unknown = reset(client, "nobody@example.com")

    assert known.redirect_chain == unknown.redirect_chain
    assert page_text(known) == page_text(unknown)


def test_password_reset_for_an_unknown_address_sends_nothing(client, db, mailoutbox):
    reset(client, "nobody@example.com")

    assert mailoutbox == []


def test_signup_with_a_taken_address_looks_like_any_signup(client, verified_user, mailoutbox):
    def sign_up(email):
        data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
        return client.post(reverse("account_signup"), data, follow=True)

    taken = sign_up(verified_user.email)
    client.logout()
    fresh = sign_up("newcomer@example.com")

    assert taken.redirect_chain == fresh.redirect_chain
    assert page_text(taken) == page_text(fresh)
    assert "already" not in taken.content.decode().lower()


def test_signup_with_a_taken_address_tells_its_owner_by_email(client, verified_user, mailoutbox):
    data = {"email": verified_user.email, "password1": PASSWORD, "password2": PASSWORD}
    client.post(reverse("account_signup"), data)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [verified_user.email]
    assert "already" in mailoutbox[0].body
    assert verified_user.__class__.objects.filter(email=verified_user.email).count() == 1


def test_login_error_is_the_same_for_a_wrong_password_and_an_unknown_address(client, verified_user):
    def log_in(email):
        return client.post(reverse("account_login"), {"login": email, "password": "wrong one"})

    wrong_password = log_in(verified_user.email)
    unknown = log_in("nobody@example.com")

    assert wrong_password.status_code == unknown.status_code == 200
    assert page_text(wrong_password) == page_text(unknown)


def test_login_of_an_unverified_account_does_not_reveal_it_without_the_password(
    client, db, mailoutbox
):
    data = {"email": "pending@example.com", "password1": PASSWORD, "password2": PASSWORD}
    client.post(reverse("account_signup"), data)

    response = client.post(
        reverse("account_login"), {"login": "pending@example.com", "password": "wrong one"}
    )

    assert "are not correct" in response.content.decode()
    assert "verif" not in page_text(response).lower().replace("verification_sent", "")
