from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from comments import emails, outbox, posting
from comments.models import Comment

PENDING_DIGEST_LOCK = "comments:moderators-pending-digest"
FLAG_DIGEST_LOCK = "comments:moderators-flag-digest"


@shared_task
def deliver_outbox_message(message_id: int) -> bool:
    """Send an outbox message at once (queued when its transaction commits), and every
    other due one: rows committed while this task waited queued no task of their own
    (``outbox.request_delivery``). Returns whether this message was sent here."""
    outbox.delivery_started()
    sent = outbox.outbox_deliver(message_id=message_id)
    outbox.outbox_drain()
    return sent


@shared_task
def drain_outbox() -> int:
    """Every minute (Celery beat, or ``manage.py drain_outbox`` from cron): send what
    could not be queued (broker down) or failed and is due for a retry."""
    return outbox.outbox_drain()


# Kept for tasks queued before the outbox existed; new notifications use the outbox.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_comment_notifications(comment_id: int) -> int:
    """Send reply and thread emails for a newly published comment."""
    comment = (
        Comment.objects.select_related("article", "user", "reply_to", "reply_to__user")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return 0
    return len(emails.send_comment_notifications(comment))


@shared_task
def notify_moderators_pending() -> int:
    """Email moderators that comments wait, at most once per
    ``COMMENTS_MODERATOR_EMAIL_INTERVAL``; the digest lists everything waiting, so a
    comment held inside the quiet period is in the next one (also sent by the
    periodic ``send_moderation_digest``)."""
    if not cache.add(PENDING_DIGEST_LOCK, 1, timeout=settings.COMMENTS_MODERATOR_EMAIL_INTERVAL):
        return 0
    return emails.send_pending_digest()


@shared_task
def notify_moderators_flagged() -> int:
    """Email moderators the flags not yet reported, at most once per
    ``COMMENTS_MODERATOR_EMAIL_INTERVAL``: the first flag of a quiet period goes out at
    once, the ones after it wait for the periodic ``send_moderation_digest`` (a burst of
    flags is one email, not one per flag; the flags themselves remember what was sent,
    so none is lost)."""
    if not cache.add(FLAG_DIGEST_LOCK, 1, timeout=settings.COMMENTS_MODERATOR_EMAIL_INTERVAL):
        return 0
    return emails.send_flag_digest()


@shared_task
def send_moderation_digest() -> int:
    """The periodic digests (Celery beat, and the ``send_moderation_digest`` command
    for cron): email moderators now what waits for review and the flags not reported
    yet, whatever the batching locks say, then start a new quiet period for each that
    sent, so that a comment held (or flagged) just after is in the next digest rather
    than an email of its own. Returns how many emails went out."""
    sent = emails.send_pending_digest()
    if sent:
        cache.set(PENDING_DIGEST_LOCK, 1, timeout=settings.COMMENTS_MODERATOR_EMAIL_INTERVAL)
    flagged = emails.send_flag_digest()
    if flagged:
        cache.set(FLAG_DIGEST_LOCK, 1, timeout=settings.COMMENTS_MODERATOR_EMAIL_INTERVAL)
    return sent + flagged


@shared_task
def expire_idempotency_keys() -> int:
    """Periodic (Celery beat, e.g. hourly): forget old idempotency keys."""
    return posting.idempotency_keys_expire()


@shared_task(ignore_result=True)
def spam_model_retrain() -> int | None:
    """Periodically (``COMMENTS_SPAM_MODEL_INTERVAL``): train the learned spam filter
    again once enough new moderator decisions exist; the new version's number, or None."""
    from comments import spam_model

    if not spam_model.spam_model_due():
        return None
    row = spam_model.spam_model_train()
    return row.version if row else None
