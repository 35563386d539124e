from django.urls import reverse

from tests.accounts.conftest import PASSWORD


def test_password_reset_sends_an_email(client, verified_user, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": verified_user.email})

    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [verified_user.email]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_password_change_keeps_the_reader_logged_in(client, verified_user):
    client.force_login(verified_user)
    new = "another horse battery staple"

    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )

    verified_user.refresh_from_db()
    assert verified_user.check_password(new)
    assert client.session["_auth_user_id"] == str(verified_user.pk)
