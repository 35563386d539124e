"""One bad address blocks mail (issue 16): ``pat@a\ufffd.example`` passes Django's
``validate_email`` but cannot be put on an email (``UnicodeError``). Sign-ups refuse it;
a subscriber stored with it before the check costs only their own copy of an issue.

The locmem backend encodes each recipient with ``sanitize_address`` (through
``message.message()``) before keeping the email, as the SMTP backend does."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from newsletter import services, tasks
from newsletter.models import MAX_ATTEMPTS, Delivery, Issue, Subscriber
from tests.newsletter.helpers import make_subscriber

pytestmark = pytest.mark.django_db

BAD = "pat@a\ufffd.example"
REFUSED = "Enter an email address that can receive mail."


@pytest.fixture
def issue(lists):
    issue = Issue.objects.create(subject="Tuesday briefing", body="Good morning.")
    issue.lists.set([lists["morning"]])
    return issue


@pytest.fixture
def readers_and_one_bad(lists):
    """Good subscribers on both sides of one stored before addresses were checked."""
    first = make_subscriber("reader1@example.org", lists["morning"])
    bad = make_subscriber("placeholder@example.org", lists["morning"])
    Subscriber.objects.filter(pk=bad.pk).update(email=BAD)
    rest = [make_subscriber(f"reader{n}@example.org", lists["morning"]) for n in (2, 3)]
    return [first, *rest], bad


def per_address(mailoutbox):
    return Counter(address for message in mailoutbox for address in message.to)


def test_issue_reaches_everyone_after_a_subscriber_whose_address_cannot_receive_mail(
    issue, readers_and_one_bad, committed, mailoutbox
):
    good, _ = readers_and_one_bad
    with committed():
        services.issue_send(issue=issue)
    assert per_address(mailoutbox) == {s.email: 1 for s in good}


def test_the_bad_address_is_recorded_failed_with_its_error(
    issue, readers_and_one_bad, committed, mailoutbox
):
    _, bad = readers_and_one_bad
    with committed():
        services.issue_send(issue=issue)
    delivery = Delivery.objects.get(subscriber=bad)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, MAX_ATTEMPTS)
    assert delivery.error.startswith("UnicodeError:")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_sending_again_after_the_failure_emails_nobody_twice(
    issue, readers_and_one_bad, committed, mailoutbox
):
    good, _ = readers_and_one_bad
    with committed():
        services.issue_send(issue=issue)
    tasks.send_issue_batch(issue.pk)
    with committed():
        services.issue_send(issue=issue)
    assert per_address(mailoutbox) == {s.email: 1 for s in good}


def test_sign_up_service_refuses_an_address_that_cannot_receive_mail(lists):
    with pytest.raises(ValidationError) as caught:
        services.subscription_request(email=BAD)
    assert caught.value.message_dict == {"email": [REFUSED]}
    assert not Subscriber.objects.exists()


def test_api_refuses_an_address_that_cannot_receive_mail(api_client, lists, mailoutbox):
    response = api_client.post(
        reverse("api:newsletter-subscriptions"), {"email": BAD}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"email": [REFUSED]}
    assert not Subscriber.objects.exists() and mailoutbox == []


def test_api_still_says_a_malformed_address_is_invalid(api_client, lists):
    response = api_client.post(
        reverse("api:newsletter-subscriptions"), {"email": "ann@"}, format="json"
    )
    assert response.json() == {"email": ["Enter a valid email address."]}


def test_sign_up_box_says_the_address_cannot_receive_mail(client, lists):
    response = client.post(reverse("newsletter:subscribe"), {"email": BAD}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [REFUSED]
    assert not Subscriber.objects.exists()
