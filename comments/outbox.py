"""The comment email outbox: emails a change causes are written as ``OutboxMessage``
rows in the change's own transaction, so a rolled-back change sends nothing and a
committed one is never lost. A task sends each row as soon as the transaction commits
(``deliver_outbox_message``), and with it whatever else is due: while one such task
waits in the queue, new rows queue no other (``request_delivery``). The periodic
``drain_outbox`` sends whatever could not be queued (broker down) or failed and waits
for a retry."""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from articles import after_commit
from comments.emails import UndeliverableAddresses
from comments.models import Comment, OutboxMessage

logger = logging.getLogger(__name__)

OUTBOX_MAX_ATTEMPTS = 8
# Set while a delivery task waits in the queue (``request_delivery``); it expires in case
# that task is lost, so at worst a row waits this long or for the periodic drain.
DELIVERY_QUEUED_KEY = "comments:outbox:delivery-queued"
DELIVERY_QUEUED_SECONDS = 30


def enqueue(task, *args) -> None:
    """Hand a task to the broker once its work has committed; whatever goes wrong
    (broker unreachable, anything else the client raises) is logged, never raised —
    the request has done its work, and what must not be lost is in the outbox. See
    the tasks' ``enqueue`` (``newsite.celery.Task``)."""
    task.enqueue(*args)


def request_delivery(message_id: int) -> None:
    """Once a row has committed: queue a delivery task, unless one is queued and not
    yet started (it sends every due row, this one too). A busy site then publishes a
    task per delivery run rather than one per comment (a broker round trip and ~1 ms
    of a post's CPU). With the cache away the periodic drain sends it.

    The mark is set with the commit's other cache writes (``articles.after_commit``),
    and the task queued once it is."""
    from comments import tasks

    def queue(marked: bool) -> None:
        if marked and not tasks.deliver_outbox_message.enqueue(message_id):
            cache.delete(DELIVERY_QUEUED_KEY)  # nothing is queued after all

    after_commit.cache_add(DELIVERY_QUEUED_KEY, message_id, DELIVERY_QUEUED_SECONDS, then=queue)


def delivery_started() -> None:
    """A delivery task starts: rows committed from now on queue a new one. Cleared
    before the task looks for due rows, so a row is either seen by this run or queues
    the next."""
    cache.delete(DELIVERY_QUEUED_KEY)


def outbox_add(*, kind: str, comment: Comment, new: bool = False) -> None:
    """Write an outbox row in the caller's transaction and, once it commits, ask a
    worker to send it at once; ``outbox_drain`` sends it later if that fails.

    ``new``: the comment was inserted in the caller's transaction, so no row can exist
    for it yet: one plain insert (a savepoint and a look-up fewer, four round trips of
    a guest post's thirteen)."""
    if new:
        message = OutboxMessage.objects.create(kind=kind, comment=comment)
        message_id = message.pk
        transaction.on_commit(lambda: request_delivery(message_id))
        return
    with transaction.atomic():
        if kind == OutboxMessage.Kind.COMMENT_PUBLISHED:
            # Announced once (comments_outboxmessage_published_once), even if it is
            # approved again after a review.
            message, created = OutboxMessage.objects.get_or_create(kind=kind, comment=comment)
            if not created:
                return
        else:
            message = OutboxMessage.objects.create(kind=kind, comment=comment)
    message_id = message.pk
    transaction.on_commit(lambda: request_delivery(message_id))


def _send(message: OutboxMessage) -> None:
    from comments import emails

    comment = (
        Comment.objects.select_related("article", "user", "reply_to", "reply_to__user")
        .filter(pk=message.comment_id)
        .first()
    )
    if comment is None:
        return
    if message.kind == OutboxMessage.Kind.COMMENT_PUBLISHED:
        emails.send_comment_notifications(comment)
    elif message.kind == OutboxMessage.Kind.COMMENT_FLAGGED:
        emails.send_flag_alert(comment)


def outbox_deliver(*, message_id: int) -> bool:
    """Send one outbox message unless it is sent already or another worker is sending
    it; returns whether this call sent it.

    The row is locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the
    conditional update takes the write lock) while the email goes out, and marked sent
    in the same transaction, so a row committed as sent is never sent again. The SMTP
    boundary is at-least-once: a worker killed after the mail server accepted the email
    but before the commit sends it again on the next try (a window of microseconds; the
    alternative, marking before sending, would lose the email instead).

    A failed send — whatever it raises, never the caller's problem — is recorded
    (``attempts``, ``last_error``) and retried by ``outbox_drain`` after an exponential
    pause, at most ``OUTBOX_MAX_ATTEMPTS`` times. Recipients whose address cannot
    receive mail (``UndeliverableAddresses``) are recorded too, but the message is done:
    the others had their email.
    """
    skip_locked = db_connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=skip_locked)
            .filter(pk=message_id, sent_at__isnull=True, attempts__lt=OUTBOX_MAX_ATTEMPTS)
            .first()
        )
        if message is None:
            return False
        now = timezone.now()
        claimed = OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True)
        if not claimed.filter(attempts=message.attempts).update(available_at=now):
            return False
        try:
            # A savepoint, so that even a database error while sending leaves this
            # transaction able to record the failure.
            with transaction.atomic():
                _send(message)
        except UndeliverableAddresses as exc:
            # The others have their email and those addresses never will: done, with
            # why. Retrying would email the others twice.
            logger.warning("outbox: message %s: %s undeliverable", message.pk, len(exc.failures))
            claimed.update(
                sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=_error_text(exc)
            )
            return exc.sent > 0
        except Exception as exc:  # SMTP and socket errors, and anything else: retried
            _record_failure(claimed, message=message, exc=exc, now=now)
            return False
        claimed.update(sent_at=timezone.now(), attempts=F("attempts") + 1, last_error="")
        return True


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _record_failure(claimed, *, message: OutboxMessage, exc: Exception, now) -> None:
    """Count a failed attempt and keep its error; the drain tries again after an
    exponential pause, until ``OUTBOX_MAX_ATTEMPTS``."""
    attempts = message.attempts + 1
    logger.warning("outbox: message %s failed (attempt %s): %s", message.pk, attempts, exc)
    claimed.update(
        attempts=attempts,
        last_error=_error_text(exc),
        available_at=now + timedelta(seconds=min(60 * 2**attempts, 6 * 3600)),
    )


def outbox_drain(*, limit: int = 500) -> int:
    """Send what is due in the outbox, oldest first; returns how many were sent.

    One row never stops the rest: ``outbox_deliver`` records what goes wrong while
    sending, and whatever it still raises (the database failing it, say) is logged
    here and the drain goes on to the next row."""
    due = (
        OutboxMessage.objects.filter(
            sent_at__isnull=True,
            available_at__lte=timezone.now(),
            attempts__lt=OUTBOX_MAX_ATTEMPTS,
        )
        .order_by("available_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in list(due):
        try:
            sent += outbox_deliver(message_id=pk)
        except Exception:
            logger.exception("outbox: message %s could not be delivered", pk)
    return sent


def outbox_retry(*, message_ids) -> int:
    """Make unsent messages due again with a fresh set of attempts (an operator's
    "retry now" after fixing the mail server); returns how many."""
    return OutboxMessage.objects.filter(pk__in=message_ids, sent_at__isnull=True).update(
        attempts=0, available_at=timezone.now(), last_error=""
    )
