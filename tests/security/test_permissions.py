"""One reader can never act on, or see the private side of, another's comments, files,
votes or account — through the pages or the API. Moderators can act on any comment.

Complements the per-feature tests (e.g. tests/comments/test_api.py's PATCH by another
user, tests/accounts/test_export.py's export of nothing of anyone else)."""

import pytest
from django.http import HttpResponse
from django.urls import reverse
from rest_framework.test import APIClient

from comments import attachments, services
from comments.models import Attachment, Comment
from comments.tokens import COOKIE, remember_edit_token
from ratings.services import rating_set
from tests.comments import files
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def alice():
    return make_user("alice")


@pytest.fixture
def bob_api():
    client = APIClient()
    client.force_authenticate(make_user("bob"))
    return client


@pytest.fixture
def alices_comment(alice):
    comment = make_comment(
        user=alice,
        body="Alice's words",
        ip_address="198.51.100.23",
        location={"name": "Lisbon", "latitude": 38.72231, "longitude": -9.13934},
    )
    attachments.attachment_add(
        comment=comment, prepared=attachments.prepare(files.upload(files.PDF, "alice.pdf"))
    )
    return comment


def moderator_api():
    from django.contrib.auth.models import Permission

    user = make_user("mod", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Comments ----------------------------------------------------------------------------
def test_another_user_cannot_delete_a_comment_through_the_api(bob_api, alices_comment):
    assert bob_api.delete(f"/api/v1/comments/{alices_comment.pk}/").status_code == 403
    alices_comment.refresh_from_db()
    assert alices_comment.status == Comment.Status.APPROVED


def test_another_user_cannot_delete_a_comment_through_the_page(client, alices_comment):
    client.force_login(make_user("bob"))
    response = client.post(reverse("comments:delete", args=[alices_comment.pk]))
    assert response.status_code == 403
    alices_comment.refresh_from_db()
    assert alices_comment.status == Comment.Status.APPROVED


def test_a_guests_edit_token_does_not_open_another_comment(api_client):
    mine = make_comment(body="Mine")
    theirs = make_comment(body="Theirs")
    response = api_client.patch(
        f"/api/v1/comments/{theirs.pk}/",
        {"body": "Hijacked"},
        format="json",
        HTTP_X_COMMENT_TOKEN=mine.edit_token,
    )
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.body == "Theirs"


def test_a_guests_edit_cookie_does_not_open_another_comment(client, rf):
    mine = make_comment(body="Mine")
    theirs = make_comment(body="Theirs")
    # The page remembers a guest's tokens in one signed cookie, by comment id.
    response = HttpResponse()
    remember_edit_token(rf.get("/"), response, mine, mine.edit_token)
    client.cookies.update(response.cookies)
    assert client.post(f"/comments/{theirs.pk}/edit/", {"body": "Hijacked"}).status_code == 403
    # Pointing the entry at their comment breaks the signature: the cookie is ignored.
    value = client.cookies[COOKIE].value
    client.cookies[COOKIE] = value.replace(f"{mine.pk}:", f"{theirs.pk}:", 1)

    assert client.post(f"/comments/{theirs.pk}/edit/", {"body": "Hijacked"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.body == "Theirs"


def test_a_user_is_not_the_author_of_a_guest_comment_with_their_email(api_client):
    guest = make_comment(guest_email="alice@example.com", body="Posted as a guest")
    api_client.force_authenticate(make_user("alice"))
    response = api_client.patch(f"/api/v1/comments/{guest.pk}/", {"body": "x"}, format="json")
    assert response.status_code == 403


def test_moderator_may_edit_and_delete_anyones_comment(alices_comment):
    moderator = moderator_api()
    url = f"/api/v1/comments/{alices_comment.pk}/"
    assert moderator.patch(url, {"body": "Trimmed"}, format="json").status_code == 200
    assert moderator.delete(url).status_code == 204


# --- Attachments -------------------------------------------------------------------------
def test_another_user_cannot_delete_an_attachment(bob_api, alices_comment):
    item = alices_comment.attachments.get()
    assert bob_api.delete(f"/api/v1/attachments/{item.pk}/").status_code == 403
    assert Attachment.objects.filter(pk=item.pk).exists()


def test_another_user_cannot_attach_to_a_comment(bob_api, alices_comment):
    response = bob_api.post(
        f"/api/v1/comments/{alices_comment.pk}/attachments/",
        {"file": files.upload(files.TEXT, "mine.txt")},
        format="multipart",
    )
    assert response.status_code == 403
    assert alices_comment.attachments.count() == 1


def test_another_user_cannot_remove_an_attachment_through_the_edit_page(client, alices_comment):
    item = alices_comment.attachments.get()
    client.force_login(make_user("bob"))
    response = client.post(
        f"/comments/{alices_comment.pk}/edit/", {"body": "Alice's words", "remove": [item.pk]}
    )
    assert response.status_code == 403
    assert Attachment.objects.filter(pk=item.pk).exists()


def test_moderator_may_delete_anyones_attachment(alices_comment):
    item = alices_comment.attachments.get()
    assert moderator_api().delete(f"/api/v1/attachments/{item.pk}/").status_code == 204


# --- Votes -------------------------------------------------------------------------------
def test_mine_is_only_ever_the_callers_own_vote(alice, bob_api):
    article = make_article()
    rating_set(article=article, voter=f"u:{alice.pk}", stars=5, user=alice)
    body = bob_api.get(f"/api/v1/articles/{article.slug}/rating/").json()
    assert body["count"] == 1
    assert body["mine"] is None


def test_withdrawing_a_vote_touches_only_the_callers(alice, bob_api):
    article = make_article()
    rating_set(article=article, voter=f"u:{alice.pk}", stars=5, user=alice)
    bob_api.delete(f"/api/v1/articles/{article.slug}/rating/")
    assert bob_api.get(f"/api/v1/articles/{article.slug}/rating/").json()["count"] == 1


def test_a_users_like_is_neither_shown_as_nor_withdrawn_by_anothers(
    client, alice, bob_api, alices_comment
):
    services.comment_like(comment=alices_comment, voter=f"u:{alice.pk}")
    unliked = bob_api.delete(f"/api/v1/comments/{alices_comment.pk}/like/").json()
    assert unliked == {"like_count": 1, "liked": False}

    pressed = 'aria-pressed="true" data-like-url="/api/v1/comments/{}/like/"'
    client.force_login(make_user("carol"))
    html = client.get(alices_comment.article.get_absolute_url()).content.decode()
    assert pressed.format(alices_comment.pk) not in html
    client.force_login(alice)
    html = client.get(alices_comment.article.get_absolute_url()).content.decode()
    assert pressed.format(alices_comment.pk) in html


# --- Accounts ----------------------------------------------------------------------------
def test_account_pages_serve_only_the_signed_in_user(client, alice, alices_comment):
    """Export, delete and profile take no user id: there is no URL for someone else's."""
    bob = make_user("bob")
    client.force_login(bob)
    export = client.post(reverse("accounts:data_export"), {"user": alice.pk, "pk": alice.pk})
    assert b"Alice's words" not in export.content
    assert alice.email.encode() not in export.content
    profile = client.get(reverse("accounts:profile"), {"user": alice.pk})
    assert b"Alice's words" not in profile.content


def test_account_deletion_of_one_user_leaves_the_other(client, alice):
    bob = make_user("bob")
    client.force_login(bob)
    client.post(reverse("accounts:account_delete"), {"password": "wrong", "user": alice.pk})
    assert type(alice).objects.filter(pk=alice.pk).exists()


def test_readers_cannot_open_the_admin(client):
    client.force_login(make_user("bob"))
    response = client.get("/admin/comments/comment/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- Private fields never shown ----------------------------------------------------------
def test_public_pages_and_api_never_show_email_ip_or_precise_coordinates(
    client, api_client, alices_comment
):
    guest = make_comment(alices_comment.article, guest_email="hidden.guest@example.com")
    article = alices_comment.article
    pages = [
        client.get(article.get_absolute_url()),
        client.get(f"/articles/{article.slug}/comments/feed/"),
        api_client.get(f"/api/v1/articles/{article.slug}/comments/"),
        api_client.get(f"/api/v1/comments/{alices_comment.pk}/"),
        api_client.get(f"/api/v1/comments/{guest.pk}/"),
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        for secret in ("alice@example.com", "hidden.guest@example.com", "198.51.100.23"):
            assert secret not in text, (response.request["PATH_INFO"], secret)
        assert "38.7223" not in text and "9.1393" not in text
    assert "38.72" in client.get(article.get_absolute_url()).content.decode()
