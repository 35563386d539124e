"""Brute-force limits on log-in and password reset (django-allauth's rate limits)."""

from django.urls import reverse

from tests.accounts.conftest import PASSWORD


def log_in(client, email, password="wrong password"):  # noqa: S107
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_five_failed_logins_lock_that_address_even_with_the_right_password(client, verified_user):
    for _ in range(5):
        assert "are not correct" in log_in(client, verified_user.email).content.decode()

    response = log_in(client, verified_user.email, PASSWORD)

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_locked_address_does_not_lock_another(client, verified_user, stranger):
    for _ in range(5):
        log_in(client, verified_user.email)

    response = log_in(client, stranger.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(stranger.pk)


def test_failed_logins_from_one_address_are_limited_across_accounts(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}
    for n in range(3):
        log_in(client, f"guess{n}@example.com")

    response = log_in(client, "guess9@example.com")

    assert "Too many failed login attempts" in response.content.decode()


def test_login_attempts_over_the_ip_limit_get_429(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    log_in(client, "a@example.com")
    log_in(client, "b@example.com")

    assert log_in(client, "c@example.com").status_code == 429


def test_password_reset_requests_are_limited_per_address(client, verified_user, mailoutbox):
    for _ in range(5):
        client.post(reverse("account_reset_password"), {"email": verified_user.email})

    response = client.post(reverse("account_reset_password"), {"email": verified_user.email})

    assert response.status_code == 429
    assert len(mailoutbox) == 5


def test_signups_over_the_ip_limit_get_429(client, db, settings, mailoutbox):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    for n in range(2):
        client.post(
            reverse("account_signup"),
            {"email": f"new{n}@example.com", "password1": PASSWORD, "password2": PASSWORD},
        )

    response = client.post(
        reverse("account_signup"),
        {"email": "new9@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 429
