"""Duplicate submissions: a retried API POST with the same Idempotency-Key, or a
double-clicked page form, creates one comment."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from comments import posting
from comments.models import Comment, IdempotencyKey
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

GUEST = {"body": "Well reported.", "name": "Ann", "email": "ann@example.com"}


def post(client, article, key, data=GUEST):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(
        f"/api/v1/articles/{article.slug}/comments/", data, format="json", headers=headers
    )


def post_form(client, article, key, **data):
    return client.post(
        f"/articles/{article.slug}/comments/post/",
        {**GUEST, "idempotency_key": key, **data},
    )


# --- API --------------------------------------------------------------------------------
def test_a_retried_post_creates_one_comment_and_gets_the_same_answer(api_client):
    article = make_article()
    first = post(api_client, article, "key-1")
    again = post(api_client, article, "key-1")
    assert Comment.objects.count() == 1
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first


def test_a_replay_hands_a_guest_the_same_edit_token(api_client):
    article = make_article()
    token = post(api_client, article, "k").json()["edit_token"]
    assert post(api_client, article, "k").json()["edit_token"] == token


def test_the_same_key_with_another_comment_is_409(api_client):
    article = make_article()
    post(api_client, article, "k")
    response = post(api_client, article, "k", {**GUEST, "body": "Something else."})
    assert response.status_code == 409
    assert "already used" in response.json()["detail"]
    assert Comment.objects.count() == 1


def test_different_keys_create_two_comments(api_client):
    article = make_article()
    post(api_client, article, "k1")
    post(api_client, article, "k2")
    assert Comment.objects.count() == 2


def test_without_a_key_every_post_is_a_new_comment(api_client):
    article = make_article()
    post(api_client, article, None)
    post(api_client, article, None)
    assert Comment.objects.count() == 2


def test_two_guests_with_the_same_key_get_a_comment_each():
    article = make_article()
    ann, bob = APIClient(), APIClient(REMOTE_ADDR="10.0.0.2")
    for client in (ann, bob):  # each gets its voter cookie
        client.get(f"/api/v1/articles/{article.slug}/")
    assert post(ann, article, "same").status_code == 201
    assert post(bob, article, "same", {**GUEST, "name": "Bob"}).status_code == 201
    assert Comment.objects.count() == 2


def test_two_readers_with_the_same_key_get_a_comment_each(api_client):
    article = make_article()
    for name in ("ann", "bob"):
        api_client.force_authenticate(make_user(name))
        assert post(api_client, article, "same", {"body": "Same words."}).status_code == 201
    assert Comment.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 101, "has space", "tab\tkey", "é"])
def test_a_malformed_key_is_400_and_saves_nothing(api_client, key):
    response = post(api_client, make_article(), key)
    assert response.status_code == 400
    assert list(response.json()) == ["Idempotency-Key"]
    assert Comment.objects.count() == 0


def test_a_refused_post_does_not_use_up_its_key(api_client):
    article = make_article()
    assert post(api_client, article, "k", {**GUEST, "email": "nope"}).status_code == 400
    assert post(api_client, article, "k").status_code == 201
    assert Comment.objects.count() == 1


def test_an_expired_key_is_forgotten(api_client, settings):
    article = make_article()
    post(api_client, article, "k")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert "Idempotent-Replayed" not in post(api_client, article, "k")
    assert Comment.objects.count() == 2


def test_expiry_drops_old_keys_and_stale_edit_tokens(api_client):
    article = make_article()
    post(api_client, article, "old")
    post(api_client, article, "recent")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(days=2))
    IdempotencyKey.objects.filter(key="recent").update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert posting.idempotency_keys_expire() == 1
    assert list(IdempotencyKey.objects.values_list("key", "edit_token")) == [("recent", "")]


def test_the_schema_documents_the_header_and_the_409(client):
    operation = client.get("/api/schema/?format=json").json()["paths"][
        "/api/v1/articles/{slug}/comments/"
    ]["post"]
    assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]
    assert "409" in operation["responses"]
    assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]


# --- The page form --------------------------------------------------------------------------
def _key_in(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html).group(1)


def test_the_form_carries_a_fresh_key_each_time_it_is_shown(client):
    article = make_article()
    first = _key_in(client.get(article.get_absolute_url()).content.decode())
    second = _key_in(client.get(article.get_absolute_url()).content.decode())
    assert first != second


def test_a_double_clicked_form_creates_one_comment(client):
    article = make_article()
    client.get(article.get_absolute_url())  # the voter cookie, as a reader has it
    first = post_form(client, article, "a" * 32)
    again = post_form(client, article, "a" * 32)
    comment = Comment.objects.get()
    assert first.status_code == again.status_code == 303
    assert again["Location"] == first["Location"] == f"{article.get_absolute_url()}#c{comment.pk}"


def test_an_old_form_sent_again_with_new_words_is_a_new_comment(client):
    """The back button restores the form with its old key; new text means a new comment."""
    article = make_article()
    post_form(client, article, "b" * 32)
    post_form(client, article, "b" * 32, body="A second thought.")
    assert Comment.objects.count() == 2


def test_a_damaged_form_key_is_400_with_a_message(client):
    article = make_article()
    response = post_form(client, article, "x" * 200)
    assert response.status_code == 400
    assert "Reload the page" in response.content.decode()
    assert Comment.objects.count() == 0


def test_a_form_key_and_an_api_key_of_two_people_do_not_meet():
    article = make_article()
    ann, bob = Client(), Client()
    post_form(ann, article, "c" * 32)
    post_form(bob, article, "c" * 32, name="Bob")
    assert Comment.objects.count() == 2
