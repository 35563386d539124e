"""One bad address blocks mail (issue 16): an account cannot be given an address that
passes ``validate_email`` but cannot be put on an email (``pat@a\ufffd.example``)."""

from django.urls import reverse

from accounts.models import User
from tests.accounts.conftest import PASSWORD

BAD = "pat@a\ufffd.example"
REFUSED = "Enter an email address that can receive mail."


def test_signup_refuses_an_address_that_cannot_receive_mail(client, db, mailoutbox):
    response = client.post(
        reverse("account_signup"), {"email": BAD, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [REFUSED]
    assert not User.objects.exists() and mailoutbox == []
