"""The reader's newsletter subscriptions in their export and deletion. The newsletter app
is built alongside; these run once it has a ``Subscriber`` model with a ``user`` link."""

import json

import pytest
from django.apps import apps
from django.db import connection

from accounts.services import account_delete


@pytest.fixture
def subscriber_model(db):
    try:
        model = apps.get_model("newsletter", "Subscriber")
    except LookupError:
        pytest.skip("the newsletter app has no Subscriber model yet")
    if model._meta.db_table not in connection.introspection.table_names():
        pytest.skip("the newsletter app has no migration for Subscriber yet")
    if "user" not in {f.name for f in model._meta.get_fields()}:
        pytest.skip("newsletter subscribers are not linked to users")
    return model


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
