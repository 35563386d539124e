"""The task broker is down when a comment is posted: the comment is saved, and its
notification waits in the outbox until ``drain_outbox`` sends it — exactly once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from comments import outbox, services, tasks
from comments.models import Comment, OutboxMessage
from tests.concurrency import needs_postgresql, race
from tests.factories import make_article, make_comment
from tests.faults.conftest import broker_at_closed_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent(settings):
    settings.COMMENTS_MODERATION = "none"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    article = make_article()
    parent = make_comment(article, guest_email="parent@example.com", notify_replies=True)
    OutboxMessage.objects.update(sent_at=timezone.now())  # its own announcement is done
    return parent


def reply(api_client, parent, capture):
    with capture(execute=True):
        response = api_client.post(
            f"/api/v1/articles/{parent.article.slug}/comments/",
            {"body": "A reply.", "name": "Bo", "email": "bo@example.com", "parent": parent.pk},
            format="json",
        )
    assert response.status_code == 201, response.content
    return Comment.objects.get(pk=response.json()["id"])


def test_eager_default_sends_the_reply_email_at_once(
    api_client, parent, django_capture_on_commit_callbacks
):
    comment = reply(api_client, parent, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["parent@example.com"]]
    assert OutboxMessage.objects.get(comment=comment).sent_at is not None


def test_broker_refusing_the_task_keeps_the_comment_and_the_email(
    api_client, parent, django_capture_on_commit_callbacks
):
    with mock.patch.object(
        tasks.deliver_outbox_message, "delay", side_effect=BrokerUnavailable("refused")
    ):
        comment = reply(api_client, parent, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert OutboxMessage.objects.get(comment=comment).sent_at is None

    assert outbox.outbox_drain() == 1
    assert [m.to for m in mail.outbox] == [["parent@example.com"]]
    assert outbox.outbox_drain() == 0
    assert len(mail.outbox) == 1


def test_a_real_unreachable_broker(api_client, parent, django_capture_on_commit_callbacks):
    with broker_at_closed_port():
        comment = reply(api_client, parent, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert OutboxMessage.objects.filter(comment=comment, sent_at=None).count() == 1

    tasks.drain_outbox.delay()  # the broker is back (in-process again)
    assert [m.to for m in mail.outbox] == [["parent@example.com"]]
    assert OutboxMessage.objects.filter(sent_at=None).count() == 0


def test_a_failed_send_waits_and_is_retried(parent):
    comment = make_comment(parent.article, parent=parent)
    message = OutboxMessage.objects.get(comment=comment)
    with mock.patch("comments.emails._send", side_effect=ConnectionRefusedError("smtp down")):
        assert outbox.outbox_drain() == 0
    message.refresh_from_db()
    assert (message.attempts, message.sent_at) == (1, None)
    assert "smtp down" in message.last_error
    assert outbox.outbox_drain() == 0  # not due yet

    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now() - timedelta(1))
    assert outbox.outbox_drain() == 1
    assert len(mail.outbox) == 1


def test_approving_again_after_review_does_not_announce_twice(parent, moderator):
    comment = make_comment(parent.article, parent=parent)
    services.comment_set_status(comment=comment, status=Comment.Status.PENDING)
    services.comment_approve(comment=comment, by=moderator)
    assert OutboxMessage.objects.filter(comment=comment).count() == 1


@needs_postgresql[0]
@needs_postgresql[1]
def test_drains_racing_send_each_email_once(parent):
    with mock.patch.object(tasks.deliver_outbox_message, "delay", side_effect=BrokerUnavailable):
        for n in range(3):
            make_comment(parent.article, parent=parent, body=f"Reply {n}.")
    assert mail.outbox == []
    sent = []
    race(4, lambda i: sent.append(outbox.outbox_drain()))
    assert sum(sent) == 3
    assert len(mail.outbox) == 3


def test_an_operator_sends_a_given_up_message_again_from_the_admin(client, editor, parent):
    comment = make_comment(parent.article, parent=parent)
    OutboxMessage.objects.filter(comment=comment).update(
        attempts=outbox.OUTBOX_MAX_ATTEMPTS, last_error="SMTPServerDisconnected"
    )
    assert outbox.outbox_drain() == 0  # given up: the drain leaves it alone
    client.force_login(editor)
    listing = client.get("/admin/comments/outboxmessage/?state=failed")
    assert b"SMTPServerDisconnected" in listing.content
    message = OutboxMessage.objects.get(comment=comment)
    response = client.post(
        "/admin/comments/outboxmessage/",
        {"action": "retry_now", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.sent_at is not None
    assert [m.to for m in mail.outbox] == [["parent@example.com"]]


def test_a_queued_delivery_takes_the_rows_committed_while_it_waits(
    api_client, parent, django_capture_on_commit_callbacks
):
    with mock.patch.object(tasks.deliver_outbox_message, "delay") as queued:
        first = reply(api_client, parent, django_capture_on_commit_callbacks)
        reply(api_client, parent, django_capture_on_commit_callbacks)
    assert queued.call_count == 1 and mail.outbox == []
    (message_id,) = queued.call_args.args
    assert message_id == OutboxMessage.objects.get(comment=first).pk

    assert tasks.deliver_outbox_message(message_id) is True  # the worker takes it
    assert len(mail.outbox) == 2
    with mock.patch.object(tasks.deliver_outbox_message, "delay") as queued:
        reply(api_client, parent, django_capture_on_commit_callbacks)
    assert queued.call_count == 1  # that run has started: the next row queues again


def test_a_delivery_the_broker_refused_does_not_hold_back_the_next(
    api_client, parent, django_capture_on_commit_callbacks
):
    with mock.patch.object(
        tasks.deliver_outbox_message, "delay", side_effect=BrokerUnavailable("refused")
    ) as refused:
        reply(api_client, parent, django_capture_on_commit_callbacks)
        reply(api_client, parent, django_capture_on_commit_callbacks)
    assert refused.call_count == 2
