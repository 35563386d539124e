"""Publishing a task after the work has committed never fails the request, and fails
fast: tasks are fire-and-forget (no result store to wait on), and a dead broker is
given one immediate retry, not seconds of them."""

import logging
import time
from unittest import mock

import pytest

from comments import outbox
from comments import tasks as comment_tasks
from comments.models import Comment, OutboxMessage
from newsite.celery import app
from newsletter import services as newsletter_services
from newsletter import tasks as newsletter_tasks
from newsletter.models import Issue, NewsletterList, Subscriber
from tests.factories import make_article
from tests.faults.conftest import broker_at_closed_port

pytestmark = pytest.mark.django_db

# What the Redis result backend raised from inside ``delay()`` during an outage.
RESULT_STORE_GAVE_UP = RuntimeError(
    "Retry limit exceeded while trying to reconnect to the Celery redis result store backend."
)


def test_tasks_keep_no_results():
    assert app.conf.task_ignore_result is True
    assert app.conf.result_backend is None
    assert comment_tasks.deliver_outbox_message.ignore_result is True


def test_enqueue_logs_an_error_from_the_result_store_and_carries_on(caplog):
    task = comment_tasks.deliver_outbox_message
    with mock.patch.object(task, "delay", side_effect=RESULT_STORE_GAVE_UP):
        with caplog.at_level(logging.ERROR, logger="newsite.celery"):
            outbox.enqueue(task, 1)
    assert "deliver_outbox_message(1,) not queued" in caplog.text


def test_a_post_is_saved_and_answered_201_when_publishing_raises(api_client, committed, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    guest = {"body": "Saved anyway.", "name": "Ann", "email": "ann@example.com"}
    with mock.patch.object(
        comment_tasks.deliver_outbox_message, "delay", side_effect=RESULT_STORE_GAVE_UP
    ):
        with committed():
            response = api_client.post(
                f"/api/v1/articles/{article.slug}/comments/", guest, format="json"
            )
    assert response.status_code == 201
    comment = Comment.objects.get(pk=response.json()["id"])
    assert OutboxMessage.objects.get(comment=comment).sent_at is None  # the drain sends it


def test_a_newsletter_sign_up_is_kept_when_publishing_raises(committed):
    NewsletterList.objects.create(slug="morning", name="Morning", is_default=True)
    confirm = newsletter_tasks.send_confirmation_email
    with mock.patch.object(confirm, "delay", side_effect=RESULT_STORE_GAVE_UP) as delay:
        with committed():
            newsletter_services.subscription_request(email="ana@example.org")
    assert delay.called
    assert Subscriber.objects.filter(email="ana@example.org").exists()


def test_an_issue_is_left_to_the_sweep_when_publishing_raises(committed):
    weekly = NewsletterList.objects.create(slug="weekly", name="Weekly")
    issue = Issue.objects.create(subject="Hello", body="Hi.")
    issue.lists.set([weekly])
    batch = newsletter_tasks.send_issue_batch
    with mock.patch.object(batch, "delay", side_effect=RESULT_STORE_GAVE_UP) as delay:
        with committed():
            newsletter_services.issue_send(issue=issue)
    assert delay.called
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING  # resume_stalled_issues starts it again


def test_a_dead_broker_costs_milliseconds_not_seconds():
    """Celery's default policy retries three times, with 0.6 s of pauses, on every
    publish (0.8 s measured here)."""
    task = comment_tasks.deliver_outbox_message
    with broker_at_closed_port():
        task.enqueue(1)  # the first publish also loads the Redis transport
        started = time.monotonic()
        task.enqueue(2)
        elapsed = time.monotonic() - started
    assert elapsed < 0.3
