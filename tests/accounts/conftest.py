import pytest
from allauth.account.models import EmailAddress

from tests.factories import make_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def verified_user(db):
    """A reader who signed up and followed the emailed link (allauth's own record)."""
    user = make_user("verified", display_name="Vera Fied")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client
