import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from articles.markup import render_comment
from articles.models import Article

# Materialized path: each level is the comment's id, zero-padded so that sorting the
# path as text gives parents before children and siblings oldest first.
PATH_DIGITS = 10
# Shown instead of the name of an author who deleted their account.
DELETED_USER_NAME = "[deleted user]"
PATH_SEP = "/"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def public(self):
        """What readers see: approved comments, and deleted ones kept as "[deleted]"
        placeholders because an approved reply hangs under them."""
        approved_reply = Comment.objects.filter(
            parent=OuterRef("pk"), status=Comment.Status.APPROVED
        )
        return self.filter(
            Q(status=Comment.Status.APPROVED)
            | Q(Q(status=Comment.Status.DELETED) & Exists(approved_reply))
        )

    def for_page(self):
        """Everything a rendered comment needs, in the thread order: one query, plus one
        for all their attachments (a plain list in ``attachment_list``: a prefetch into
        the related manager builds a queryset per comment, a third of the time of a page
        of 100 in the API)."""
        return (
            self.select_related("user")
            .prefetch_related(models.Prefetch("attachments", to_attr="attachment_list"))
            .order_by("path")
        )


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REJECTED = "rejected", "Rejected"
        DELETED = "deleted", "Deleted"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    # The comment this one is shown under (capped at COMMENTS_MAX_DEPTH) ...
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    # ... and the one it actually answers (notified, and named in "in reply to").
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    guest_name = models.CharField(max_length=80, blank=True)
    guest_email = models.EmailField(blank=True)
    # The registered author deleted their account; the comment stays, unsigned.
    author_deleted = models.BooleanField(default=False, editable=False)
    # Whether a guest asked to hear about replies (users use their account setting).
    notify_replies = models.BooleanField(default=False)

    body = models.TextField(max_length=settings.COMMENTS_MAX_LENGTH)
    body_html = models.TextField(editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    edit_token_hash = models.CharField(max_length=64, blank=True, editable=False)

    like_count = models.PositiveIntegerField(default=0)
    flag_count = models.PositiveIntegerField(default=0)
    # "Share Your Location": a place name and coordinates, rounded to
    # COMMENTS_LOCATION_PRECISION decimals before they are stored unless the poster
    # chose precise (see comments.location).
    location_name = models.CharField(max_length=120, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_precise = models.BooleanField(default=False)
    # The stars the poster gave the article with this comment (their vote, in ratings).
    rating = models.PositiveSmallIntegerField(null=True, blank=True)

    # Why the rules held or refused it (codes in comments.moderation.REASONS), for
    # moderators only.
    moderation_reasons = models.JSONField(default=list, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        indexes = [
            # Serves the moderation queue: pending comments, oldest first.
            models.Index(
                fields=["created_at"],
                name="comments_comment_pending_idx",
                condition=Q(status="pending"),
            ),
            # Serves the article page and comments API: public comments of an article in
            # thread order.
            models.Index(fields=["article", "status", "path"], name="comments_comment_thread_idx"),
            # Serves "has this guest had a comment approved before?" (moderation policy).
            models.Index(fields=["guest_email", "status"], name="comments_comment_guest_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False)
                | (~Q(guest_name="") & ~Q(guest_email=""))
                | Q(author_deleted=True),
                name="comments_comment_has_author",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "spam", "rejected", "deleted"]),
                name="comments_comment_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="comments_comment_not_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="comments_comment_coordinates_valid",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="comments_comment_rating_1_to_5",
            ),
        ]
        permissions = [("moderate_comment", "Can moderate comments")]

    def __str__(self):
        return f"{self.author_name} on {self.article}: {self.body[:40]}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#c{self.pk}"

    def get_feed_url(self):
        return reverse("comments:feed", kwargs={"slug": self.article.slug})

    # --- Author -----------------------------------------------------------------
    @property
    def is_guest(self) -> bool:
        return self.user_id is None and not self.author_deleted

    @property
    def author_name(self) -> str:
        if self.author_deleted:
            return DELETED_USER_NAME
        if self.user_id:
            return self.user.public_name if self.user else DELETED_USER_NAME
        return self.guest_name

    @property
    def author_email(self) -> str:
        return self.user.email if self.user_id and self.user else self.guest_email

    @property
    def wants_reply_emails(self) -> bool:
        if self.user_id:
            return bool(self.user and self.user.notify_replies and self.user.is_active)
        return self.notify_replies

    # --- Body ---------------------------------------------------------------------
    def set_body(self, body: str) -> None:
        self.body = body
        self.body_html = render_comment(body)

    @property
    def files(self) -> list:
        """The comment's attachments: the list ``for_page()`` loaded, else one query."""
        if not hasattr(self, "attachment_list"):
            self.attachment_list = list(self.attachments.all())
        return self.attachment_list

    @property
    def is_deleted(self) -> bool:
        return self.status == self.Status.DELETED

    # --- Location -------------------------------------------------------------------
    @property
    def has_location(self) -> bool:
        return bool(self.location_name) or self.latitude is not None

    @property
    def map_url(self) -> str | None:
        """OpenStreetMap at the stored (possibly coarsened) point, or a place search."""
        from urllib.parse import quote

        if self.latitude is not None:
            lat, lon = f"{self.latitude.normalize():f}", f"{self.longitude.normalize():f}"
            zoom = 16 if self.location_precise else 12
            return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={zoom}/{lat}/{lon}"
        if self.location_name:
            return f"https://www.openstreetmap.org/search?query={quote(self.location_name)}"
        return None

    # --- Edit window and tokens ------------------------------------------------------
    @property
    def edit_deadline(self):
        return self.created_at + timedelta(seconds=settings.COMMENTS_EDIT_WINDOW)

    def in_edit_window(self, now=None) -> bool:
        return (now or timezone.now()) < self.edit_deadline

    def issue_edit_token(self) -> str:
        """A new secret for a guest author; only its hash is stored."""
        token = secrets.token_urlsafe(24)
        self.edit_token_hash = hash_token(token)
        return token

    def token_matches(self, token: str | None) -> bool:
        if not token or not self.edit_token_hash:
            return False
        return secrets.compare_digest(self.edit_token_hash, hash_token(token))

    def thread_path(self) -> str:
        return f"{self.pk:0{PATH_DIGITS}d}"


class CommentLike(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    # "u:<user id>" or "g:<guest voter id>" (articles.voters).
    voter = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "voter"], name="comments_commentlike_one_per_voter"
            )
        ]

    def __str__(self):
        return f"{self.voter} likes #{self.comment_id}"


class CommentFlag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Abusive or hateful"
        OFF_TOPIC = "off_topic", "Off topic"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    voter = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "voter"], name="comments_commentflag_one_per_voter"
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()} flag on #{self.comment_id}"


class ThreadSubscription(models.Model):
    """A registered reader following every new comment under an article."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_subscriptions"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"], name="comments_threadsubscription_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} follows {self.article}"


class BanQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class Ban(models.Model):
    """Keeps a user, an email address, an email domain or an IP network from posting."""

    class Kind(models.TextChoices):
        USER = "user", "User"
        EMAIL = "email", "Email address"
        DOMAIN = "domain", "Email domain"
        NETWORK = "network", "IP address or network"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bans",
    )
    email = models.EmailField(blank=True, help_text="Lower-case; exact match.")
    domain = models.CharField(
        max_length=253, blank=True, help_text="e.g. spam.example (its subdomains too)."
    )
    network = models.CharField(
        max_length=50, blank=True, help_text="An address or CIDR network, IPv4 or IPv6."
    )
    reason = models.CharField(max_length=300, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="user") & Q(user__isnull=False))
                | (Q(kind="email") & ~Q(email=""))
                | (Q(kind="domain") & ~Q(domain=""))
                | (Q(kind="network") & ~Q(network="")),
                name="comments_ban_target_matches_kind",
            ),
        ]

    def __str__(self):
        target = {
            self.Kind.USER: lambda: str(self.user),
            self.Kind.EMAIL: lambda: self.email,
            self.Kind.DOMAIN: lambda: self.domain,
            self.Kind.NETWORK: lambda: self.network,
        }[self.kind]()
        return f"Ban of {self.get_kind_display().lower()} {target}"

    # Which field names the target of each kind of ban.
    TARGET_FIELD = {"user": "user", "email": "email", "domain": "domain", "network": "network"}

    def clean(self):
        import ipaddress

        from django.core.exceptions import ValidationError

        if self.kind not in self.TARGET_FIELD:
            raise ValidationError(
                {"kind": "Choose what to ban: a user, an email, a domain or an IP network."}
            )
        self.email = (self.email or "").strip().lower()
        self.domain = (self.domain or "").strip().lower().lstrip("@")
        self.network = (self.network or "").strip()
        if self.kind == self.Kind.NETWORK and self.network:
            try:
                self.network = str(ipaddress.ip_network(self.network, strict=False))
            except ValueError:
                raise ValidationError({"network": "Enter an IP address or CIDR network."}) from None
        field = self.TARGET_FIELD[self.kind]
        if not getattr(self, "user_id" if field == "user" else field):
            raise ValidationError({field: "Required for this kind of ban."})

    @property
    def is_active(self) -> bool:
        return self.expires_at is None or self.expires_at > timezone.now()


class BlockedWord(models.Model):
    """A word or phrase that holds (or refuses) a comment containing it.

    Matched as whole words, case-insensitively, in any script ("ass" does not match
    "class"; "Arsch" matches "arsch")."""

    class Action(models.TextChoices):
        PENDING = "pending", "Hold for review"
        REJECTED = "rejected", "Reject"

    phrase = models.CharField(max_length=100)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.PENDING)
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["phrase"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("phrase"), name="comments_blockedword_unique_phrase"
            ),
            models.CheckConstraint(
                condition=~Q(phrase=""), name="comments_blockedword_phrase_not_empty"
            ),
        ]

    def __str__(self):
        return self.phrase


class ModerationLog(models.Model):
    """Append-only record of every moderation action: who, when, what, from → to."""

    class Action(models.TextChoices):
        HELD = "held", "Held by the rules"
        APPROVE = "approve", "Approved"
        REJECT = "reject", "Rejected"
        SPAM = "spam", "Marked as spam"
        DELETE = "delete", "Deleted"
        PENDING = "pending", "Sent back to review"
        EDIT = "edit", "Edited"
        BAN = "ban", "Banned"

    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    # Empty for the automatic rules.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    action = models.CharField(max_length=10, choices=Action.choices, editable=False)
    comment = models.ForeignKey(
        Comment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_log",
        editable=False,
    )
    from_status = models.CharField(max_length=10, blank=True, editable=False)
    to_status = models.CharField(max_length=10, blank=True, editable=False)
    reason = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        who = self.actor or "rules"
        return f"{who}: {self.get_action_display()} #{self.comment_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The moderation log is append-only.")


class ModerationQueueItem(Comment):
    """The moderators' queue in the admin: pending comments and published ones that
    readers flagged (the admin narrows the rows; the table is ``Comment``'s)."""

    class Meta:
        proxy = True
        verbose_name = "moderation queue"
        verbose_name_plural = "moderation queue"


def _attachment_path(instance, filename):
    # Random storage names: nothing a poster chose reaches the file system.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{_suffix(filename)}"


def _thumbnail_path(instance, filename):
    return f"attachments/thumbs/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{_suffix(filename)}"


def _suffix(filename: str) -> str:
    suffix = filename.rpartition(".")[2].lower() if "." in filename else ""
    return f".{suffix}" if suffix.isalnum() and len(suffix) <= 5 else ""


class Attachment(models.Model):
    """A file on a comment: an image (re-encoded, metadata stripped, with a thumbnail)
    or a PDF / plain-text document, checked by content.

    The cap of ``COMMENTS_MAX_ATTACHMENTS`` per comment lives in the database: each
    attachment takes a numbered slot, unique per comment, and the service only offers
    slots 1..cap. Two uploads racing for the last slot cannot both get it; the loser
    tries the next slot, and when none is left it is refused. (Locking the comment row
    and counting would work too, but would serialise every upload to a comment and
    rely on every writer remembering the lock.)"""

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        DOCUMENT = "document", "Document"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="attachments")
    slot = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    thumbnail = models.FileField(upload_to=_thumbnail_path, max_length=200, blank=True)
    name = models.CharField("display name", max_length=120)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "slot"], name="comments_attachment_one_per_slot"
            ),
            # A hard ceiling whatever the setting says (the service offers 1..cap).
            models.CheckConstraint(
                condition=Q(slot__gte=1, slot__lte=10), name="comments_attachment_slot_range"
            ),
        ]

    def __str__(self):
        return f"{self.name} on #{self.comment_id}"

    def get_absolute_url(self):
        return reverse("comments:attachment", kwargs={"pk": self.pk, "name": self.url_name})

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE

    def get_thumbnail_url(self):
        if not self.thumbnail:
            return None
        return reverse("comments:attachment_thumbnail", kwargs={"pk": self.pk})

    @property
    def url_name(self) -> str:
        from django.utils.text import get_valid_filename

        return get_valid_filename(self.name) or "file"


class OutboxMessage(models.Model):
    """An email to send about a comment, written in the same transaction as the change
    that calls for it (the transactional outbox): if the task broker is down when the
    transaction commits, the row is still there and the periodic ``drain_outbox`` task
    sends it. Sent at most once per row (see ``comments.services.outbox_deliver``)."""

    class Kind(models.TextChoices):
        # Reply and thread-follower emails for a newly published comment.
        COMMENT_PUBLISHED = "comment_published", "Comment published"
        # Moderators hear about a new flag.
        COMMENT_FLAGGED = "comment_flagged", "Comment flagged"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="outbox")
    created_at = models.DateTimeField(default=timezone.now)
    # Not tried before this time (backoff after a failed attempt).
    available_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
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

    scope = models.CharField(max_length=60)
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    # Set in the same transaction as the claim; null only while it is being created.
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, related_name="+")
    edit_token = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="comments_idempotencykey_once")
        ]

    def __str__(self):
        return f"{self.key} ({self.scope})"
