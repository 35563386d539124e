import pytest
from django.test import Client

from comments.models import ThreadSubscription
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


def test_guest_who_asked_is_emailed_about_a_reply(mailoutbox, django_capture_on_commit_callbacks):
    article = make_article(title="Dam's plan")
    parent = make_comment(article, guest_email="ana@example.com", notify_replies=True)
    with django_capture_on_commit_callbacks(execute=True):
        make_comment(article, parent=parent, guest_name="Bo", body="I disagree.")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ana@example.com"]
    assert message.subject == "Bo replied to your comment on “Dam's plan”"
    assert "I disagree." in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_guest_who_did_not_ask_gets_nothing(mailoutbox, django_capture_on_commit_callbacks):
    article = make_article()
    parent = make_comment(article)
    with django_capture_on_commit_callbacks(execute=True):
        make_comment(article, parent=parent)
    assert mailoutbox == []


def test_user_is_emailed_by_preference(mailoutbox, django_capture_on_commit_callbacks):
    article = make_article()
    quiet = make_user(notify_replies=False)
    parent = make_comment(article, user=quiet)
    with django_capture_on_commit_callbacks(execute=True):
        make_comment(article, parent=parent)
    assert mailoutbox == []


def test_nobody_is_emailed_about_their_own_reply(mailoutbox, django_capture_on_commit_callbacks):
    article = make_article()
    user = make_user()
    parent = make_comment(article, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        make_comment(article, parent=parent, user=user)
    assert mailoutbox == []


def test_pending_reply_notifies_only_once_approved(mailoutbox, django_capture_on_commit_callbacks):
    from comments.models import Comment
    from comments.services import comment_approve

    article = make_article()
    parent = make_comment(article, user=make_user())
    with django_capture_on_commit_callbacks(execute=True):
        reply = make_comment(article, parent=parent, status=Comment.Status.PENDING)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=reply)
    assert len(mailoutbox) == 1


def test_thread_followers_hear_about_new_comments(mailoutbox, django_capture_on_commit_callbacks):
    article = make_article(title="Port strike")
    follower = make_user(email="fol@example.com")
    ThreadSubscription.objects.create(user=follower, article=article)
    with django_capture_on_commit_callbacks(execute=True):
        make_comment(article)
    assert [m.to for m in mailoutbox] == [["fol@example.com"]]
    assert mailoutbox[0].subject == "New comment on “Port strike”"


def test_reply_author_who_follows_gets_one_email(mailoutbox, django_capture_on_commit_callbacks):
    article = make_article()
    user = make_user()
    ThreadSubscription.objects.create(user=user, article=article)
    parent = make_comment(article, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        make_comment(article, parent=parent)
    assert len(mailoutbox) == 1


def _unsubscribe_url(message):
    return (
        message.extra_headers["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:8000", "")
    )


def test_one_click_unsubscribe_stops_reply_emails(mailoutbox, django_capture_on_commit_callbacks):
    article = make_article()
    user = make_user()
    parent = make_comment(article, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        make_comment(article, parent=parent)
    url = _unsubscribe_url(mailoutbox[0])
    assert Client().get(url).status_code == 200
    user.refresh_from_db()
    assert user.notify_replies is True
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.notify_replies is False


def test_unsubscribe_from_a_thread(mailoutbox, django_capture_on_commit_callbacks):
    article = make_article()
    follower = make_user()
    ThreadSubscription.objects.create(user=follower, article=article)
    with django_capture_on_commit_callbacks(execute=True):
        make_comment(article)
    Client().post(_unsubscribe_url(mailoutbox[0]))
    assert not ThreadSubscription.objects.filter(user=follower).exists()


def test_guest_unsubscribe_covers_all_their_comments(
    mailoutbox, django_capture_on_commit_callbacks
):
    article = make_article()
    parent = make_comment(article, guest_email="g@example.com", notify_replies=True)
    other = make_comment(article, guest_email="g@example.com", notify_replies=True)
    with django_capture_on_commit_callbacks(execute=True):
        make_comment(article, parent=parent)
    Client().post(_unsubscribe_url(mailoutbox[0]))
    other.refresh_from_db()
    assert other.notify_replies is False


def test_forged_unsubscribe_token_is_404(client):
    assert client.get("/comments/unsubscribe/not-a-token/").status_code == 404
