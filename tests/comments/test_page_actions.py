import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from comments.models import Comment, CommentFlag, CommentLike
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db

GUEST = {"name": "Ada", "email": "ada@example.com", "body": "Well *reported*."}


def post_comment(client, article, **data):
    return client.post(f"/articles/{article.slug}/comments/post/", {**GUEST, **data})


def notices(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_guest_post_is_saved_pending_and_redirects_with_a_notice(client):
    article = make_article()
    response = post_comment(client, article)
    comment = Comment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"{article.get_absolute_url()}#c{comment.pk}"
    assert comment.status == Comment.Status.PENDING
    assert (comment.guest_name, comment.guest_email) == ("Ada", "ada@example.com")
    assert notices(response) == ["Your comment is awaiting moderation."]


def test_guest_post_keeps_the_notify_choice(client):
    post_comment(client, make_article(), notify_replies="on")
    assert Comment.objects.get().notify_replies is True


def test_signed_in_reader_post_is_approved_and_visible(client):
    client.force_login(make_user("reader"))
    article = make_article()
    response = post_comment(client, article, body="Signed comment", subscribe="on")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    assert response["Location"] == f"{article.get_absolute_url()}#c{comment.pk}"
    assert "Signed comment" in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [("body", ""), ("email", "not-an-email"), ("name", "n" * 81), ("body", "b" * 5001)],
)
def test_invalid_post_rerenders_with_400_and_saves_nothing(client, field, value):
    article = make_article()
    response = post_comment(client, article, **{field: value}, notify_replies="on")
    html = response.content.decode()
    assert response.status_code == 400
    assert Comment.objects.count() == 0
    assert f'id="id_{field}_error"' in html
    assert re.search(rf'<(input|textarea)[^>]*aria-invalid="true"[^>]*id="id_{field}"', html)
    assert 'value="Ada"' in html or field == "name"
    assert "<h1" in html and "Leave your comments" in html


def test_invalid_post_keeps_the_typed_text(client):
    response = post_comment(client, make_article(), email="x")
    assert response.status_code == 400
    assert "Well *reported*.</textarea>" in response.content.decode()


def test_reply_through_the_form_hangs_under_its_parent(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    parent = make_comment(article)
    post_comment(client, article, parent=str(parent.pk))
    reply = Comment.objects.exclude(pk=parent.pk).get()
    assert reply.parent == parent
    assert reply.path.startswith(parent.path + "/")


def test_reply_to_a_comment_of_another_article_is_refused(client):
    article = make_article()
    other = make_comment(make_article())
    response = post_comment(client, article, parent=str(other.pk))
    assert response.status_code == 400
    assert Comment.objects.count() == 1


def test_form_post_without_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    response = post_comment(client, make_article())
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_posting_on_a_closed_article_is_403(client):
    response = post_comment(client, make_article(comments_open=False))
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_guest_edits_within_the_window_with_the_cookie(client, settings):
    settings.COMMENTS_MODERATION = "none"
    post_comment(client, make_article())
    comment = Comment.objects.get()
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 200
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Second thoughts"})
    comment.refresh_from_db()
    assert response.status_code == 303
    assert comment.body == "Second thoughts"
    assert comment.edited_at is not None


def test_signed_in_author_edits_their_comment(client):
    user = make_user("writer")
    comment = make_comment(user=user)
    client.force_login(user)
    client.post(f"/comments/{comment.pk}/edit/", {"body": "Fixed a typo"})
    comment.refresh_from_db()
    assert comment.body == "Fixed a typo"


def test_stranger_cannot_edit(client):
    comment = make_comment(user=make_user("writer"))
    client.force_login(make_user("stranger"))
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "Hijack"}).status_code == 403


def test_edit_after_the_window_is_403(client):
    user = make_user("writer")
    comment = make_comment(user=user)
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    client.force_login(user)
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 403


def test_author_deletes_their_comment(client):
    user = make_user("writer")
    comment = make_comment(user=user)
    client.force_login(user)
    assert client.get(f"/comments/{comment.pk}/delete/").status_code == 200
    response = client.post(f"/comments/{comment.pk}/delete/")
    comment.refresh_from_db()
    assert response.status_code == 303
    assert comment.status == Comment.Status.DELETED


def test_like_button_toggles_the_like(client):
    comment = make_comment()
    client.get("/")  # the voter cookie
    client.post(f"/comments/{comment.pk}/like/")
    comment.refresh_from_db()
    assert comment.like_count == 1
    html = client.get(comment.article.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in html
    client.post(f"/comments/{comment.pk}/like/")
    comment.refresh_from_db()
    assert comment.like_count == 0
    assert CommentLike.objects.count() == 0


def test_flag_page_lists_reasons_and_records_the_flag(client):
    comment = make_comment()
    assert "Abusive or hateful" in client.get(f"/comments/{comment.pk}/flag/").content.decode()
    response = client.post(f"/comments/{comment.pk}/flag/", {"reason": "abuse", "note": "Rude"})
    flag = CommentFlag.objects.get()
    assert (flag.reason, flag.note) == ("abuse", "Rude")
    assert notices(response) == ["Thank you. A moderator will review this comment."]


def test_signed_in_reader_follows_and_unfollows_the_thread(client):
    user = make_user("reader")
    article = make_article()
    client.force_login(user)
    client.post(f"/articles/{article.slug}/comments/follow/", {"action": "follow"})
    assert user.thread_subscriptions.filter(article=article).exists()
    client.post(f"/articles/{article.slug}/comments/follow/", {"action": "unfollow"})
    assert not user.thread_subscriptions.exists()
