"""What must happen once: an email in the outbox, a comment per idempotency key."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.models.comment import Comment


class OutboxMessage(models.Model):
    """An email to send about a comment, written in the same transaction as the change
    that calls for it (the transactional outbox): if the task broker is down when the
    transaction commits, the row is still there and the periodic ``drain_outbox`` task
    sends it. Sent at most once per row (see ``comments.services.outbox_deliver``)."""

    class Kind(models.TextChoices):
        # Reply and thread-follower emails for a newly published comment.
        COMMENT_PUBLISHED = "comment_published", _("Comment published")
        # Moderators hear about a new flag.
        COMMENT_FLAGGED = "comment_flagged", _("Comment flagged")

    kind = models.CharField(max_length=32, choices=Kind.choices, verbose_name=_("kind"))
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="outbox", verbose_name=_("comment")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    # Not tried before this time (backoff after a failed attempt).
    available_at = models.DateTimeField(default=timezone.now, verbose_name=_("available at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        constraints = [
            # A comment is announced once, even if it is approved again after review.
            models.UniqueConstraint(
                fields=["comment"],
                condition=Q(kind="comment_published"),
                name="comments_outboxmessage_published_once",
            ),
        ]
        indexes = [
            # drain_outbox: filter(sent_at=None, available_at__lte=now).order_by("id").
            models.Index(
                fields=["available_at", "id"],
                condition=Q(sent_at__isnull=True),
                name="comments_outbox_unsent",
            ),
        ]

    def __str__(self):
        state = "sent" if self.sent_at else f"unsent, {self.attempts} attempts"
        return f"{self.get_kind_display()} #{self.comment_id} ({state})"


class IdempotencyKey(models.Model):
    """A client's promise that two requests with the same key are one request: a
    double-clicked form or an API POST retried after a lost answer creates one comment.

    The key is scoped to the poster (``u:<id>``, the guest's voter key, or ``ip:<addr>``)
    so that two people cannot collide. The unique (scope, key) constraint settles
    races: the second insert waits for the first transaction and then fails, and the
    loser answers with the winner's comment. ``fingerprint`` is a hash of what was
    sent, to tell a retry from a different request reusing the key. A guest's edit
    token is kept so that a replay can hand it out again (the first answer may never
    have arrived); ``idempotency_keys_expire`` blanks it once the edit window is over
    and deletes keys after ``COMMENTS_IDEMPOTENCY_TTL``.
    """

    scope = models.CharField(max_length=60, verbose_name=_("scope"))
    key = models.CharField(max_length=100, verbose_name=_("key"))
    fingerprint = models.CharField(max_length=64, verbose_name=_("fingerprint"))
    # Set in the same transaction as the claim; null only while it is being created.
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, related_name="+", verbose_name=_("comment")
    )
    edit_token = models.CharField(max_length=100, blank=True, verbose_name=_("edit token"))
    created_at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="comments_idempotencykey_once")
        ]

    def __str__(self):
        return f"{self.key} ({self.scope})"
