from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from comments import services
from comments.models import Comment, CommentFlag, ThreadSubscription
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db

ITEM_FIELDS = {
    "id", "parent", "depth", "author", "body_html", "created_at", "edited_at", "like_count",
    "attachments", "location", "rating", "reply_to", "is_deleted", "is_hidden", "url",
    "edited_by_moderator", "is_featured",
}  # fmt: skip
GUEST = {"body": "Well reported.", "name": "Ann", "email": "ann@example.com"}


def comments_url(article):
    return f"/api/v1/articles/{article.slug}/comments/"


def list_comments(client, article):
    return client.get(comments_url(article)).json()["results"]


def post_comment(client, article, data=GUEST, **kwargs):
    return client.post(comments_url(article), data, format="json", **kwargs)


def backdate(comment, minutes=16):
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


# --- Listing ----------------------------------------------------------------------------------
def test_list_keeps_threads_together_oldest_first(api_client):
    article = make_article()
    first = make_comment(article)
    second = make_comment(article)
    reply = make_comment(article, parent=first)
    results = list_comments(api_client, article)
    assert [c["id"] for c in results] == [first.pk, reply.pk, second.pk]
    assert [(c["parent"], c["depth"]) for c in results] == [(None, 0), (first.pk, 1), (None, 0)]
    assert results[1]["reply_to"] == first.pk


def test_list_item_has_the_contracts_fields(api_client):
    article = make_article()
    comment = make_comment(article, body="Hello *there*", guest_name="Ann")
    item = api_client.get(comments_url(article)).json()["results"][0]
    assert item.keys() == ITEM_FIELDS
    assert item["author"] == {"name": "Ann", "is_guest": True, "badge": None}
    assert item["body_html"] == "<p>Hello <em>there</em></p>"
    assert item["edited_at"] is None
    assert (item["attachments"], item["location"], item["rating"]) == ([], None, None)
    assert item["url"] == f"http://testserver/articles/{article.slug}/#c{comment.pk}"


def test_list_is_paginated(api_client):
    article = make_article()
    body = api_client.get(comments_url(article)).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


def test_list_never_shows_email_ip_or_user_agent(api_client, reader):
    article = make_article()
    make_comment(article, guest_email="secret.guest@example.com", ip_address="203.0.113.9")
    make_comment(article, user=reader, user_agent="SecretBrowser/9.9")
    text = api_client.get(comments_url(article)).content.decode()
    for private in ("secret.guest@example.com", reader.email, "203.0.113.9", "SecretBrowser"):
        assert private not in text
    assert "edit_token" not in text


def test_list_hides_pending_comments(api_client):
    article = make_article()
    make_comment(article, status=Comment.Status.PENDING)
    assert list_comments(api_client, article) == []


def test_list_shows_deleted_comment_with_replies_as_placeholder(api_client):
    article = make_article()
    parent = make_comment(article, body="Regrettable words")
    make_comment(article, parent=parent)
    services.comment_delete(comment=parent)
    item = list_comments(api_client, article)[0]
    assert item["is_deleted"] is True
    # API.md: the placeholder's body_html is "[deleted]", and nothing of what it said.
    assert item["body_html"] == "[deleted]"
    assert item["author"]["name"] == "[deleted]"
    assert "Regrettable" not in str(item)


def test_list_of_draft_article_is_404(api_client):
    article = make_article(status="draft")
    assert api_client.get(comments_url(article)).status_code == 404


@pytest.mark.parametrize("query", ["", "?ordering=newest", "?ordering=top", "?featured=1"])
@pytest.mark.parametrize("count", [5, 500])
def test_list_query_count_does_not_grow_with_comments(
    api_client, django_assert_num_queries, count, query
):
    article = make_article()
    parent = None
    for _ in range(count):  # alternately a new thread and a reply to it
        comment = make_comment(article, parent=parent)
        parent = None if parent else comment
    services.comment_delete(comment=Comment.objects.filter(parent=None).first())
    Comment.objects.filter(pk__in=Comment.objects.approved().values("pk")[:50]).update(
        is_featured=True
    )
    # 1. the article, 2. count, 3. the page with its users (placeholders, order and
    # badges decided in SQL), 4. their attachments.
    with django_assert_num_queries(4):
        assert api_client.get(comments_url(article) + query).status_code == 200


# --- Creating --------------------------------------------------------------------------------
def test_guest_comment_is_pending_and_gets_an_edit_token(api_client):
    article = make_article()
    response = post_comment(api_client, article)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending"
    assert body["author"] == {"name": "Ann", "is_guest": True, "badge": None}
    comment = Comment.objects.get()
    assert comment.token_matches(body["edit_token"])
    assert response["Location"] == f"/api/v1/comments/{comment.pk}/"


def test_guest_edit_token_is_remembered_in_a_cookie(api_client):
    response = post_comment(api_client, make_article())
    assert response.json()["edit_token"] in response.cookies["comment_edit_tokens"].value


def test_guest_response_has_no_private_fields(api_client):
    text = post_comment(api_client, make_article()).content.decode()
    assert "ann@example.com" not in text
    assert "127.0.0.1" not in text


def test_user_comment_is_approved_without_edit_token(api_client, reader):
    api_client.force_login(reader)
    response = post_comment(api_client, make_article(), {"body": "Mine."})
    assert response.status_code == 201
    assert response.json()["status"] == "approved"
    assert "edit_token" not in response.json()
    assert Comment.objects.get().user == reader


def test_service_records_ip_and_user_agent(api_client):
    post_comment(api_client, make_article(), HTTP_USER_AGENT="TestAgent/1.0")
    comment = Comment.objects.get()
    assert (comment.ip_address, comment.user_agent) == ("127.0.0.1", "TestAgent/1.0")


def test_guest_proving_an_approved_comment_is_approved(api_client):
    article = make_article()
    first = post_comment(api_client, article).json()
    services.comment_approve(comment=Comment.objects.get(pk=first["id"]))
    data = {**GUEST, "email": "Ann@Example.com", "trust_token": first["trust_token"]}
    assert post_comment(APIClient(), article, data).json()["status"] == "approved"


def test_approved_post_grows_the_articles_comment_count(api_client, reader):
    article = make_article()
    api_client.force_login(reader)
    post_comment(api_client, article, {"body": "Counted."})
    item = api_client.get("/api/v1/articles/").json()["results"][0]
    assert item["comment_count"] == 1


def test_reply_is_threaded_under_its_parent(api_client, reader):
    article = make_article()
    parent = make_comment(article)
    api_client.force_login(reader)
    body = post_comment(api_client, article, {"body": "Agreed.", "parent": parent.pk}).json()
    assert (body["parent"], body["reply_to"], body["depth"]) == (parent.pk, parent.pk, 1)


def test_token_auth_posts_as_the_user(reader):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=reader).key}")
    response = post_comment(client, make_article(), {"body": "By token."})
    assert response.status_code == 201
    assert Comment.objects.get().user == reader


def test_session_user_needs_csrf_token(reader):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reader)
    assert post_comment(client, make_article(), {"body": "No CSRF."}).status_code == 403
    assert Comment.objects.count() == 0


def test_user_can_subscribe_to_the_thread(api_client, reader):
    article = make_article()
    api_client.force_login(reader)
    post_comment(api_client, article, {"body": "Following.", "subscribe": True})
    assert ThreadSubscription.objects.filter(user=reader, article=article).exists()


def test_guest_can_ask_for_reply_emails(api_client):
    post_comment(api_client, make_article(), {**GUEST, "notify_replies": True})
    assert Comment.objects.get().notify_replies is True


def test_form_encoded_post_works(api_client):
    response = api_client.post(comments_url(make_article()), GUEST)
    assert response.status_code == 201


def test_multipart_post_works(api_client):
    response = api_client.post(comments_url(make_article()), GUEST, format="multipart")
    assert response.status_code == 201


def test_body_of_5000_characters_is_accepted(api_client):
    response = post_comment(api_client, make_article(), {**GUEST, "body": "x" * 5000})
    assert response.status_code == 201


# --- Reading, editing, deleting one comment ----------------------------------------------
def test_detail_shows_a_public_comment_to_anyone(api_client):
    comment = make_comment()
    body = api_client.get(f"/api/v1/comments/{comment.pk}/").json()
    assert body["id"] == comment.pk
    assert body["status"] == "approved"


def test_detail_hides_a_pending_comment_from_others(api_client):
    comment = make_comment(status=Comment.Status.PENDING)
    assert api_client.get(f"/api/v1/comments/{comment.pk}/").status_code == 404


def test_detail_shows_a_pending_comment_to_its_guest_author(api_client):
    comment = make_comment(status=Comment.Status.PENDING)
    response = api_client.get(
        f"/api/v1/comments/{comment.pk}/", HTTP_X_COMMENT_TOKEN=comment.edit_token
    )
    assert response.json()["status"] == "pending"


def test_detail_shows_a_pending_comment_to_a_moderator(api_client, moderator):
    comment = make_comment(status=Comment.Status.PENDING)
    api_client.force_login(moderator)
    assert api_client.get(f"/api/v1/comments/{comment.pk}/").status_code == 200


def test_guest_edits_with_token_in_window(api_client):
    comment = make_comment(body="Teh typo")
    response = api_client.patch(
        f"/api/v1/comments/{comment.pk}/",
        {"body": "The typo"},
        format="json",
        HTTP_X_COMMENT_TOKEN=comment.edit_token,
    )
    assert response.status_code == 200
    assert response.json()["body_html"] == "<p>The typo</p>"
    assert response.json()["edited_at"] is not None


def test_guest_edit_after_the_window_is_403(api_client):
    comment = make_comment()
    backdate(comment)
    response = api_client.patch(
        f"/api/v1/comments/{comment.pk}/",
        {"body": "Too late"},
        format="json",
        HTTP_X_COMMENT_TOKEN=comment.edit_token,
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "The edit window has closed."}


def test_guest_edit_with_wrong_token_is_403(api_client):
    comment = make_comment()
    response = api_client.patch(
        f"/api/v1/comments/{comment.pk}/",
        {"body": "Hijack"},
        format="json",
        HTTP_X_COMMENT_TOKEN="not-the-token",
    )
    assert response.status_code == 403
    assert Comment.objects.get().body == comment.body


def test_user_edits_own_comment(api_client, reader):
    comment = make_comment(user=reader)
    api_client.force_login(reader)
    response = api_client.patch(f"/api/v1/comments/{comment.pk}/", {"body": "New"}, format="json")
    assert response.status_code == 200


def test_other_user_cannot_edit(api_client, reader):
    comment = make_comment(user=make_user())
    api_client.force_login(reader)
    response = api_client.patch(f"/api/v1/comments/{comment.pk}/", {"body": "Mine"}, format="json")
    assert response.status_code == 403


def test_author_cannot_change_status(api_client, reader):
    comment = make_comment(user=reader)
    api_client.force_login(reader)
    response = api_client.patch(
        f"/api/v1/comments/{comment.pk}/", {"status": "approved"}, format="json"
    )
    assert response.status_code == 403


def test_moderator_approves_a_pending_comment(api_client, moderator):
    comment = make_comment(status=Comment.Status.PENDING)
    api_client.force_login(moderator)
    response = api_client.patch(
        f"/api/v1/comments/{comment.pk}/", {"status": "approved"}, format="json"
    )
    assert response.json()["status"] == "approved"
    comment.article.refresh_from_db()
    assert comment.article.comment_count == 1


def test_moderator_edits_after_the_window(api_client, moderator):
    comment = make_comment()
    backdate(comment, minutes=600)
    api_client.force_login(moderator)
    response = api_client.patch(
        f"/api/v1/comments/{comment.pk}/", {"body": "[redacted]"}, format="json"
    )
    assert response.status_code == 200
    assert Comment.objects.get().body == "[redacted]"


def test_guest_deletes_with_token(api_client):
    comment = make_comment()
    response = api_client.delete(
        f"/api/v1/comments/{comment.pk}/", HTTP_X_COMMENT_TOKEN=comment.edit_token
    )
    assert response.status_code == 204
    assert list_comments(api_client, comment.article) == []


def test_deleting_a_comment_with_replies_leaves_a_placeholder(api_client, reader):
    comment = make_comment(user=reader)
    make_comment(comment.article, parent=comment)
    api_client.force_login(reader)
    api_client.delete(f"/api/v1/comments/{comment.pk}/")
    first = list_comments(api_client, comment.article)[0]
    assert (first["id"], first["is_deleted"], first["body_html"]) == (comment.pk, True, "[deleted]")


def test_stranger_cannot_delete(api_client):
    comment = make_comment()
    assert api_client.delete(f"/api/v1/comments/{comment.pk}/").status_code == 403


def test_put_is_not_allowed(api_client):
    comment = make_comment()
    assert api_client.put(f"/api/v1/comments/{comment.pk}/", {}).status_code == 405


# --- Likes and flags ----------------------------------------------------------------------------
def test_like_counts_once_per_voter(api_client):
    comment = make_comment()
    api_client.post(f"/api/v1/comments/{comment.pk}/like/")
    response = api_client.post(f"/api/v1/comments/{comment.pk}/like/")
    assert response.json() == {"like_count": 1, "liked": True}


def test_unlike_removes_the_like(api_client):
    comment = make_comment()
    api_client.post(f"/api/v1/comments/{comment.pk}/like/")
    response = api_client.delete(f"/api/v1/comments/{comment.pk}/like/")
    assert response.json() == {"like_count": 0, "liked": False}


def test_likes_of_two_voters_add_up(api_client):
    comment = make_comment()
    api_client.post(f"/api/v1/comments/{comment.pk}/like/")
    response = APIClient().post(f"/api/v1/comments/{comment.pk}/like/")
    assert response.json()["like_count"] == 2


def test_liking_a_pending_comment_is_404(api_client):
    comment = make_comment(status=Comment.Status.PENDING)
    assert api_client.post(f"/api/v1/comments/{comment.pk}/like/").status_code == 404


def test_flag_is_201_then_200(api_client):
    comment = make_comment()
    url = f"/api/v1/comments/{comment.pk}/flag/"
    first = api_client.post(url, {"reason": "spam"}, format="json")
    again = api_client.post(url, {"reason": "abuse"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == {
        "reason": "spam",
        "detail": "Thank you. A moderator will review this comment.",
    }
    assert CommentFlag.objects.count() == 1


def test_flag_with_bad_reason_is_400(api_client):
    comment = make_comment()
    response = api_client.post(
        f"/api/v1/comments/{comment.pk}/flag/", {"reason": "boring"}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    assert CommentFlag.objects.count() == 0
