"""One bad address blocks mail (issue 16): ``pat@a\ufffd.example`` passes Django's
``validate_email`` but cannot be put on an email (``UnicodeError`` when the address is
encoded). It is refused where readers give it; one already stored (from before the
check) costs its own email only — never the replier's request, never the rest of the
outbox.

The locmem backend builds each message (``message.message()``) before keeping it, which
encodes the recipients with ``sanitize_address`` as the SMTP backend does, so the send
fails here exactly as it would on a real mail server."""

import pytest
from django.contrib.auth import get_user_model

from comments import emails, outbox
from comments.models import Comment, OutboxMessage, ThreadSubscription
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db

BAD = "pat@a\ufffd.example"
REFUSED = "Enter an email address that can receive mail."


def stored_with_bad_address(article, **overrides):
    """A comment whose guest address was stored before addresses were checked."""
    comment = make_comment(article, notify_replies=True, notify=False, **overrides)
    Comment.objects.filter(pk=comment.pk).update(guest_email=BAD)
    return comment


def test_drain_sends_the_others_when_one_address_cannot_receive_mail(mailoutbox):
    article = make_article()
    bad_parent = stored_with_bad_address(article)
    good_parent = make_comment(article, guest_email="ana@example.com", notify_replies=True)
    make_comment(article, parent=bad_parent)  # its outbox row comes first
    make_comment(article, parent=good_parent)
    outbox.outbox_drain()
    assert [m.to for m in mailoutbox] == [["ana@example.com"]]


def test_drain_counts_the_attempt_and_keeps_the_error_of_a_bad_address(mailoutbox):
    article = make_article()
    reply = make_comment(article, parent=stored_with_bad_address(article))
    outbox.outbox_drain()
    row = OutboxMessage.objects.get(comment=reply)
    assert row.attempts == 1
    assert "UnicodeError" in row.last_error and BAD in row.last_error


def test_a_bad_address_is_not_retried_and_nobody_is_emailed_twice(mailoutbox):
    article = make_article()
    parent = stored_with_bad_address(article)
    ThreadSubscription.objects.create(user=make_user(email="fol@example.com"), article=article)
    reply = make_comment(article, parent=parent)
    outbox.outbox_drain()
    assert OutboxMessage.objects.get(comment=reply).sent_at is not None
    outbox.outbox_drain()
    assert [m.to for m in mailoutbox] == [["fol@example.com"]]


def test_any_error_while_sending_is_recorded_and_the_drain_goes_on(mailoutbox, monkeypatch):
    article = make_article()
    first = make_comment(article, parent=stored_with_bad_address(article))
    make_comment(article, parent=make_comment(article, notify_replies=True, notify=False))
    unbroken = emails.send_comment_notifications

    def fails_for_first(comment):
        if comment.pk == first.pk:
            raise RuntimeError("template exploded")
        return unbroken(comment)

    monkeypatch.setattr(emails, "send_comment_notifications", fails_for_first)
    assert outbox.outbox_drain() == 1
    row = OutboxMessage.objects.get(comment=first)
    assert (row.sent_at, row.attempts) == (None, 1)
    assert row.last_error == "RuntimeError: template exploded"
    assert len(mailoutbox) == 1


def test_api_reply_to_a_comment_with_a_bad_address_is_201(api_client, settings, committed):
    settings.COMMENTS_MODERATION = "none"
    parent = stored_with_bad_address(make_article())
    with committed():
        response = api_client.post(
            f"/api/v1/articles/{parent.article.slug}/comments/",
            {"body": "Agreed.", "name": "Bo", "email": "bo@example.com", "parent": parent.pk},
            format="json",
        )
    assert response.status_code == 201
    row = OutboxMessage.objects.get(comment_id=response.json()["id"])
    assert row.attempts == 1 and "UnicodeError" in row.last_error


def test_page_reply_to_a_comment_with_a_bad_address_redirects(client, settings, committed):
    settings.COMMENTS_MODERATION = "none"
    parent = stored_with_bad_address(make_article())
    with committed():
        response = client.post(
            f"/articles/{parent.article.slug}/comments/post/",
            {"name": "Bo", "email": "bo@example.com", "body": "Agreed.", "parent": parent.pk},
        )
    assert response.status_code == 303
    row = OutboxMessage.objects.get(comment__body="Agreed.")
    assert row.attempts == 1 and "UnicodeError" in row.last_error


def test_flag_alert_reaches_the_moderators_whose_address_works(mailoutbox, moderator, editor):
    get_user_model().objects.filter(pk=editor.pk).update(email=BAD)
    comment = make_comment(make_article())
    with pytest.raises(emails.UndeliverableAddresses):
        emails.send_flag_alert(comment)
    assert [m.to for m in mailoutbox] == [[moderator.email]]


def test_api_refuses_a_guest_address_that_cannot_receive_mail(api_client):
    response = api_client.post(
        f"/api/v1/articles/{make_article().slug}/comments/",
        {"body": "Hi", "name": "Pat", "email": BAD},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["email"] == [REFUSED]
    assert Comment.objects.count() == 0


def test_page_form_refuses_a_guest_address_that_cannot_receive_mail(client):
    article = make_article()
    response = client.post(
        f"/articles/{article.slug}/comments/post/",
        {"name": "Pat", "email": BAD, "body": "Hi"},
    )
    assert response.status_code in (200, 400)
    assert REFUSED in response.content.decode()
    assert Comment.objects.count() == 0


def test_pending_digest_reaches_the_moderators_whose_address_works(mailoutbox, moderator, editor):
    get_user_model().objects.filter(pk=editor.pk).update(email=BAD)
    make_comment(make_article(), status=Comment.Status.PENDING)
    assert emails.send_pending_digest() == 1
    assert [m.to for m in mailoutbox] == [[moderator.email]]
