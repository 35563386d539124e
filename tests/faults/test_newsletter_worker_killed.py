"""A worker killed in the middle of sending a newsletter issue: the next run sends the
rest, and every subscriber gets the issue exactly once.

A real process (``manage.py send_newsletter_issue``) is killed with SIGKILL while it
waits on its "mail server" (``tests.faults.mailer``), holding the row of the delivery
it is sending. Its transaction dies with it, so that row is pending again.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection

from newsletter import services, tasks
from newsletter.models import Delivery, Issue, NewsletterList
from tests.concurrency import needs_postgresql
from tests.newsletter.helpers import make_subscriber

SUBSCRIBERS = 25
KILL_AFTER = 12


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _send(issue, outbox: Path, *, hang_after: int = 0) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "EMAIL_BACKEND": "tests.faults.mailer.HangingFileBackend",
        "EMAIL_URL": "",
        "FAULTS_MAIL_DIR": str(outbox),
        "FAULTS_MAIL_HANG_AFTER": str(hang_after),
        "NEWSLETTER_BATCH_SIZE": "5",
        "CELERY_BROKER_URL": "memory://",
    }
    env.pop("REDIS_URL", None)
    env.pop("EMAIL_URL")
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "send_newsletter_issue", str(issue.pk)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_for(path: Path, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.stdout.read().decode()
        assert time.monotonic() < deadline, "the sender never reached its hang"
        time.sleep(0.05)


def _received(outbox: Path) -> Counter:
    return Counter(p.name.split(".eml")[0].rsplit(".", 1)[0] for p in outbox.glob("*.eml"))


@needs_postgresql[0]
@needs_postgresql[1]
def test_a_killed_worker_neither_repeats_nor_skips_anyone(tmp_path):
    morning = NewsletterList.objects.create(slug="morning", name="Morning")
    readers = [make_subscriber(f"r{n}@example.org", morning) for n in range(SUBSCRIBERS)]
    issue = Issue.objects.create(subject="Killed mid-batch", body="Hello")
    issue.lists.set([morning])
    with mock.patch.object(tasks.send_issue_batch, "delay"):  # queued; no worker runs it
        services.issue_send(issue=issue)

    first = _send(issue, tmp_path, hang_after=KILL_AFTER)
    _wait_for(tmp_path / "hanging", first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert sum(_received(tmp_path).values()) == KILL_AFTER
    sent = Delivery.objects.filter(status=Delivery.Status.SENT)
    deadline = time.monotonic() + 10  # the server notices the dead client's connection
    while sent.count() != KILL_AFTER and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sent.count() == KILL_AFTER

    second = _send(issue, tmp_path)
    output = second.communicate(timeout=120)[0].decode()
    assert second.returncode == 0, output

    assert _received(tmp_path) == {reader.email: 1 for reader in readers}
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == SUBSCRIBERS
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT


@pytest.mark.django_db
def test_a_retried_delivery_keeps_its_message_id(mailoutbox, settings):
    """Mail systems that deduplicate on Message-ID see one message per subscriber."""
    morning = NewsletterList.objects.create(slug="morning", name="Morning")
    reader = make_subscriber("r@example.org", morning)
    issue = Issue.objects.create(subject="Ids", body="Hello")
    issue.lists.set([morning])
    with mock.patch.object(tasks.send_issue_batch, "delay"):
        services.issue_send(issue=issue)
    services.issue_send_batch(issue_id=issue.pk)
    Delivery.objects.update(status=Delivery.Status.PENDING)  # as if the commit was lost
    services.issue_send_batch(issue_id=issue.pk)
    ids = {m.extra_headers["Message-ID"] for m in mailoutbox}
    assert ids == {f"<newsletter.{issue.pk}.{reader.pk}@127.0.0.1>"}
