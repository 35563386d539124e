"""Sending an issue: exactly one email per subscriber, whatever fails or runs twice."""

import itertools
import smtplib
from collections import Counter

import pytest
from django.core.mail.backends import locmem

from newsletter import services, tasks
from newsletter.models import Delivery, Issue, Subscription
from tests.factories import make_article
from tests.newsletter.helpers import link_in, make_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(lists):
    issue = Issue.objects.create(subject="Tuesday briefing", body="Good **morning**.")
    issue.lists.set([lists["morning"]])
    return issue


@pytest.fixture
def five(lists):
    return [make_subscriber(f"reader{n}@example.org", lists["morning"]) for n in range(5)]


def per_address(mailoutbox):
    return Counter(address for message in mailoutbox for address in message.to)


def send(issue, committed):
    with committed():
        return services.issue_send(issue=issue)


def fail_on_calls(monkeypatch, *numbers):
    """Make the outgoing mail server refuse the given sends (1-based)."""
    original, calls = locmem.EmailBackend.send_messages, itertools.count(1)

    def flaky(self, messages):
        if next(calls) in numbers:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return original(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", flaky)


def test_issue_goes_to_each_confirmed_subscriber_once(issue, five, committed, mailoutbox):
    assert send(issue, committed) == 5
    tasks.send_issue_batch(issue.pk)
    assert per_address(mailoutbox) == {s.email: 1 for s in five}
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert issue.progress() == {"sent": 5, "failed": 0, "remaining": 0, "skipped": 0}


def test_sending_again_adds_nobody_twice(issue, five, lists, committed, mailoutbox):
    send(issue, committed)
    newcomer = make_subscriber("late@example.org", lists["morning"])
    assert send(issue, committed) == 1
    assert per_address(mailoutbox) == {s.email: 1 for s in [*five, newcomer]}


def test_subscriber_on_two_of_the_lists_gets_one_email(issue, lists, committed, mailoutbox):
    issue.lists.add(lists["climate"])
    make_subscriber("both@example.org", lists["morning"], lists["climate"])
    send(issue, committed)
    assert per_address(mailoutbox) == {"both@example.org": 1}


def test_pending_and_unsubscribed_readers_get_nothing(issue, lists, committed, mailoutbox):
    make_subscriber("pending@example.org", lists["morning"], status=Subscription.Status.PENDING)
    make_subscriber("gone@example.org", lists["morning"], status=Subscription.Status.UNSUBSCRIBED)
    make_subscriber("other@example.org", lists["culture"])
    send(issue, committed)
    assert mailoutbox == []


def test_batches_continue_until_everyone_has_it(issue, five, committed, mailoutbox, settings):
    settings.NEWSLETTER_BATCH_SIZE = 2
    send(issue, committed)
    assert per_address(mailoutbox) == {s.email: 1 for s in five}


def test_a_failure_half_way_is_retried_and_nobody_gets_two(
    issue, five, committed, mailoutbox, monkeypatch
):
    fail_on_calls(monkeypatch, 3)
    send(issue, committed)
    tasks.send_issue_batch(issue.pk)
    assert per_address(mailoutbox) == {s.email: 1 for s in five}
    retried = Delivery.objects.get(attempts=2)
    assert retried.status == Delivery.Status.SENT


def test_failure_is_recorded_with_the_error(issue, five, mailoutbox, monkeypatch):
    fail_on_calls(monkeypatch, 3)
    services.issue_send(issue=issue)  # the task waits for a commit that never comes here
    services.issue_send_batch(issue_id=issue.pk)
    failed = Delivery.objects.get(status=Delivery.Status.FAILED)
    assert failed.attempts == 1
    assert "SMTPServerDisconnected" in failed.error
    assert Issue.objects.with_progress().get().progress()["failed"] == 1


def test_a_crash_mid_send_leaves_the_row_pending_for_the_next_run(
    issue, five, mailoutbox, monkeypatch
):
    """A worker killed while sending: its transaction rolls back, nothing is marked."""
    services.issue_send(issue=issue)
    original, calls = locmem.EmailBackend.send_messages, itertools.count(1)

    def dies_on_third(self, messages):
        if next(calls) == 3:
            raise KeyboardInterrupt  # not an SMTP error: nothing catches it
        return original(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", dies_on_third)
    with pytest.raises(KeyboardInterrupt):
        services.issue_send_batch(issue_id=issue.pk)
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 3
    tasks.send_issue_batch(issue.pk)
    assert per_address(mailoutbox) == {s.email: 1 for s in five}


def test_a_delivery_is_given_up_after_three_failures(issue, lists, committed, monkeypatch):
    make_subscriber("bouncy@example.org", lists["morning"])
    fail_on_calls(monkeypatch, 1, 2, 3, 4)
    send(issue, committed)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 3)
    tasks.send_issue_batch(issue.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 3


def test_reader_who_unsubscribes_while_queued_is_skipped(issue, five, mailoutbox):
    services.issue_send(issue=issue)
    services.subscriber_unsubscribe(subscriber=five[0])
    services.issue_send_batch(issue_id=issue.pk)
    assert five[0].email not in per_address(mailoutbox)
    assert Delivery.objects.get(subscriber=five[0]).status == Delivery.Status.SKIPPED


def test_issue_email_carries_rfc_8058_headers_and_a_preference_link(
    issue, five, committed, mailoutbox, client
):
    send(issue, committed)
    message = mailoutbox[0]
    unsubscribe = link_in(message, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link_in(message, "preferences")
    assert client.get(link_in(message, "preferences")).status_code == 200


def test_issue_email_is_multipart_with_the_rendered_body_and_featured_articles(
    issue, five, committed, mailoutbox
):
    article = make_article(title="Glaciers retreat faster")
    issue.featured_articles.add(article)
    send(issue, committed)
    message = mailoutbox[0]
    html = message.alternatives[0].content
    assert message.subject == "Tuesday briefing"
    assert "<strong>morning</strong>" in html
    assert "Glaciers retreat faster" in html and "Glaciers retreat faster" in message.body
    assert article.get_absolute_url() in message.body


def test_one_click_link_from_an_issue_unsubscribes(issue, five, committed, mailoutbox, client):
    send(issue, committed)
    message = next(m for m in mailoutbox if m.to == [five[0].email])
    client.post(link_in(message, "unsubscribe"))
    assert not five[0].subscriptions.filter(status=Subscription.Status.CONFIRMED).exists()


def test_an_issue_without_lists_is_not_sent(lists, committed):
    from django.core.exceptions import ValidationError

    issue = Issue.objects.create(subject="Nobody", body="Hi")
    with pytest.raises(ValidationError):
        send(issue, committed)
