"""Helpers for the newsletter tests."""

import re
from urllib.parse import urlsplit

from newsletter.models import Subscriber, Subscription


def link_in(message, kind: str) -> str:
    """The path of the first ``/newsletter/<kind>/<token>/`` link in an email's text."""
    match = re.search(rf"https?://\S+/newsletter/{kind}/[^/\s]+/", message.body)
    assert match, f"no {kind} link in {message.body!r}"
    return urlsplit(match.group(0)).path


def make_subscriber(email: str, *lists, status=Subscription.Status.CONFIRMED) -> Subscriber:
    subscriber = Subscriber.objects.create(email=email)
    for newsletter_list in lists:
        Subscription.objects.create(subscriber=subscriber, list=newsletter_list, status=status)
    return subscriber
