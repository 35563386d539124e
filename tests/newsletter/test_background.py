"""The newsletter's background jobs: parallel batch chains, the sweep that resumes a
lost chain, and the clean-up of sign-ups nobody confirmed."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from newsletter import services, tasks
from newsletter.models import Delivery, Issue, Subscriber, Subscription
from tests.factories import make_user
from tests.newsletter.helpers import make_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(lists):
    issue = Issue.objects.create(subject="Tuesday briefing", body="Good morning.")
    issue.lists.set([lists["morning"]])
    return issue


def queue(issue, lists, readers: int) -> None:
    for n in range(readers):
        make_subscriber(f"reader{n}@example.org", lists["morning"])
    with mock.patch.object(tasks.send_issue_batch, "delay"):
        services.issue_send(issue=issue)


def test_sending_starts_one_chain_per_batch_up_to_the_limit(issue, lists, settings):
    settings.NEWSLETTER_BATCH_SIZE, settings.NEWSLETTER_PARALLEL_BATCHES = 10, 4
    queue(issue, lists, 25)
    with mock.patch.object(tasks.send_issue_batch, "delay") as delay:
        tasks.start_sending(issue.pk)
    assert delay.call_count == 3
    settings.NEWSLETTER_PARALLEL_BATCHES = 2
    with mock.patch.object(tasks.send_issue_batch, "delay") as delay:
        tasks.start_sending(issue.pk)
    assert delay.call_count == 2


def test_parallel_chains_send_each_email_once(issue, lists, settings, mailoutbox, committed):
    settings.NEWSLETTER_BATCH_SIZE = 2
    for n in range(7):
        make_subscriber(f"reader{n}@example.org", lists["morning"])
    with committed():
        services.issue_send(issue=issue)
    assert sorted(m.to[0] for m in mailoutbox) == [f"reader{n}@example.org" for n in range(7)]


def test_a_stalled_issue_is_resumed(issue, lists, settings):
    queue(issue, lists, 3)
    Issue.objects.filter(pk=issue.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    with mock.patch.object(tasks.send_issue_batch, "delay") as delay:
        assert tasks.resume_stalled_issues() == 1
    delay.assert_called_with(issue.pk)


def test_an_issue_being_sent_is_left_alone(issue, lists):
    queue(issue, lists, 3)
    Issue.objects.filter(pk=issue.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    Delivery.objects.filter(issue=issue).update(claimed_at=timezone.now())
    with mock.patch.object(tasks.send_issue_batch, "delay") as delay:
        assert tasks.resume_stalled_issues() == 0
    delay.assert_not_called()


def test_unconfirmed_sign_ups_are_forgotten_once_their_link_expired(lists, settings):
    morning = lists["morning"]
    long_ago = timezone.now() - timedelta(seconds=settings.NEWSLETTER_CONFIRM_MAX_AGE, days=2)
    stale = make_subscriber("stale@example.org", morning, status=Subscription.Status.PENDING)
    fresh = make_subscriber("fresh@example.org", morning, status=Subscription.Status.PENDING)
    confirmed = make_subscriber("yes@example.org", morning)
    member = make_subscriber("member@example.org", morning, status=Subscription.Status.PENDING)
    Subscriber.objects.filter(pk=member.pk).update(user=make_user("member"))
    Subscription.objects.exclude(subscriber=fresh).update(updated_at=long_ago)

    assert tasks.forget_unconfirmed_subscribers() == 1
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        fresh.email,
        confirmed.email,
        member.email,
    }
    assert not Subscriber.objects.filter(pk=stale.pk).exists()


def test_asking_again_restarts_the_clock(lists, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.NEWSLETTER_CONFIRM_MAX_AGE, days=2)
    make_subscriber("again@example.org", lists["morning"], status=Subscription.Status.PENDING)
    Subscription.objects.update(updated_at=long_ago)
    services.subscription_request(email="again@example.org", lists=["morning"])
    assert tasks.forget_unconfirmed_subscribers() == 0
