"""Emails to moderators: a batched digest of what waits, and an alert per flag."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from comments import tasks
from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _hold_guests(settings):
    settings.COMMENTS_MODERATION = "guests"
    settings.COMMENTS_MODERATOR_EMAIL_INTERVAL = 900


def hold(api_client, article, capture, body="Please review me."):
    data = {"body": body, "name": "Ann", "email": "ann@example.com"}
    with capture(execute=True):
        response = api_client.post(
            f"/api/v1/articles/{article.slug}/comments/", data, format="json"
        )
    assert response.json()["status"] == "pending"


def recipients(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


def test_held_comment_emails_each_moderator_once(
    api_client, moderator, editor, mailoutbox, django_capture_on_commit_callbacks
):
    hold(api_client, make_article(), django_capture_on_commit_callbacks, body="Look at this")
    assert recipients(mailoutbox) == [editor.email, moderator.email]
    assert "Look at this" in mailoutbox[0].body


def test_second_held_comment_within_the_interval_sends_nothing_more(
    api_client, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    article = make_article()
    hold(api_client, article, django_capture_on_commit_callbacks)
    hold(api_client, article, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


def test_next_digest_after_the_quiet_period_lists_everything_waiting(
    api_client, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    article = make_article()
    hold(api_client, article, django_capture_on_commit_callbacks, body="First held")
    hold(api_client, article, django_capture_on_commit_callbacks, body="Second held")
    cache.delete(tasks.PENDING_DIGEST_LOCK)
    hold(api_client, article, django_capture_on_commit_callbacks, body="Third held")
    assert len(mailoutbox) == 2
    for body in ("First held", "Second held", "Third held"):
        assert body in mailoutbox[1].body


def test_flag_emails_moderators_the_reason_and_note(
    api_client, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    comment = make_comment()
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            f"/api/v1/comments/{comment.pk}/flag/", {"reason": "abuse", "note": "Very rude"}
        )
    assert recipients(mailoutbox) == [moderator.email]
    assert "Abusive or hateful: Very rude" in mailoutbox[0].body


def test_digest_command_sends_now_despite_the_quiet_period(moderator, mailoutbox):
    make_comment(status=Comment.Status.PENDING, body="Waiting since yesterday")
    cache.set(tasks.PENDING_DIGEST_LOCK, 1)
    call_command("send_moderation_digest")
    assert recipients(mailoutbox) == [moderator.email]
    assert "Waiting since yesterday" in mailoutbox[0].body


def test_digest_command_starts_a_new_quiet_period(
    api_client, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    make_comment(status=Comment.Status.PENDING)
    call_command("send_moderation_digest")
    hold(api_client, make_article(), django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


def test_digest_command_sends_nothing_when_nothing_waits(moderator, mailoutbox):
    call_command("send_moderation_digest")
    assert mailoutbox == []


def test_readers_who_cannot_moderate_get_no_moderation_email(
    api_client, reader, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    hold(api_client, make_article(), django_capture_on_commit_callbacks)
    assert recipients(mailoutbox) == [moderator.email]


def test_digest_is_scheduled_with_celery_beat():
    from django.conf import settings

    from newsite.celery import app

    entry = app.conf.beat_schedule["comments: moderation digest"]
    assert entry["task"] == "comments.tasks.send_moderation_digest"
    assert entry["schedule"] == settings.COMMENTS_MODERATOR_EMAIL_INTERVAL


def test_each_moderator_reads_the_digest_in_their_language(moderator, mailoutbox):
    moderator.language = "sr"
    moderator.save(update_fields=["language"])
    make_comment(status=Comment.Status.PENDING, body="Waiting since yesterday")
    call_command("send_moderation_digest")
    (message,) = mailoutbox
    assert message.subject.startswith("1 коментар чека преглед")
    assert "Waiting since yesterday" in message.body
