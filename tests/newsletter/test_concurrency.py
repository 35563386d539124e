"""Two workers sending one issue at once, on PostgreSQL (row locks with SKIP LOCKED)."""

import threading
import time
from collections import Counter
from unittest import mock

from django.core import mail
from django.core.mail.backends import locmem

from newsletter import services, tasks
from newsletter.models import Delivery, Issue, NewsletterList
from tests.concurrency import needs_postgresql, race
from tests.newsletter.helpers import make_subscriber

pytestmark = needs_postgresql


def test_two_workers_send_each_subscriber_exactly_once(mailoutbox, settings, monkeypatch):
    settings.NEWSLETTER_BATCH_SIZE = 5
    morning = NewsletterList.objects.create(slug="morning", name="Morning")
    readers = [make_subscriber(f"r{n}@example.org", morning) for n in range(30)]
    issue = Issue.objects.create(subject="Race", body="Hi")
    issue.lists.set([morning])
    with mock.patch.object(tasks.send_issue_batch, "delay"):  # queue only; the race sends
        services.issue_send(issue=issue)
    senders = Counter()
    original = locmem.EmailBackend.send_messages

    def slow_send(self, messages):
        senders[threading.get_ident()] += 1
        time.sleep(0.01)  # a real server takes a while: the workers overlap
        return original(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", slow_send)

    race(2, lambda i: tasks.send_issue_batch(issue.pk))

    sent = Counter(address for message in mail.outbox for address in message.to)
    assert sent == {r.email: 1 for r in readers}
    assert len(senders) == 2  # both workers sent some
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 30
    assert Issue.objects.get().status == Issue.Status.SENT
