"""The reader's newsletter subscriptions in their export and deletion."""

import json

import pytest

from accounts.services import account_delete
from newsletter.models import Subscriber


@pytest.fixture
def subscriber_model(db):
    return Subscriber


def test_export_contains_the_users_subscriber_rows_only(
    verified_client, verified_user, stranger, subscriber_model
):
    subscriber_model.objects.create(email=verified_user.email, user=verified_user)
    subscriber_model.objects.create(email=stranger.email, user=stranger)

    text = verified_client.post("/accounts/profile/export/").content.decode()

    emails = [s["email"] for s in json.loads(text)["newsletter_subscriptions"]]
    assert emails == [verified_user.email]
    assert stranger.email not in text


def test_delete_removes_the_users_subscriber_rows(verified_user, stranger, subscriber_model):
    subscriber_model.objects.create(email=verified_user.email)
    subscriber_model.objects.create(email=stranger.email, user=stranger)

    account_delete(user=verified_user)

    assert list(subscriber_model.objects.values_list("email", flat=True)) == [stranger.email]
