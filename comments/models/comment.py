"""A comment and what readers hang on it: likes, flags and thread subscriptions."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


def _current_stars():
    """The comment's voter's vote on its article now (None once withdrawn)."""
    from ratings.models import Vote

    votes = Vote.objects.filter(article=OuterRef("article_id"), voter=OuterRef("rating_voter"))
    return models.Subquery(votes.values("stars")[:1])


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def public(self):
        """What readers see: approved comments, and the placeholders that keep approved
        replies in their thread: a comment that is not approved (deleted, or held for
        review) but has an approved reply anywhere under it is listed, to be shown
        without anything of its own ("[deleted]", "awaiting moderation")."""
        return self.filter(self._public_q())

    def public_or(self, own: Q | None):
        """``public()``, plus the viewer's own comments that ``own`` selects (their held
        ones, which only they are shown), in the same query."""
        return self.filter(self._public_q() | own) if own is not None else self.public()

    @staticmethod
    def _public_q() -> Q:
        # An approved descendant, at any depth: its path starts with this one's. The
        # range condition (``path >`` ours: every descendant sorts after its ancestor)
        # lets the (article, status, path) index start the scan at this comment, so
        # the first approved row is usually the answer. Only comments with a child at
        # all are asked (an index probe on parent): spam and held comments nobody
        # could reply to never cost the scan.
        approved_descendant = Comment.objects.filter(
            article=OuterRef("article"),
            status=Comment.Status.APPROVED,
            path__gt=OuterRef("path"),
            path__startswith=Concat(OuterRef("path"), Value(PATH_SEP)),
        )
        child = Comment.objects.filter(parent=OuterRef("pk"))
        return Q(status=Comment.Status.APPROVED) | Q(
            Q(status__in=Comment.PLACEHOLDER_STATUSES) & Exists(child) & Exists(approved_descendant)
        )

    def for_page(self):
        """Everything a rendered comment needs, in the thread order: one query, plus one
        for all their attachments (a plain list in ``attachment_list``: a prefetch into
        the related manager builds a queryset per comment, a third of the time of a page
        of 100 in the API)."""
        return (
            self.select_related("user")
            .annotate(current_stars=_current_stars())
            .prefetch_related(models.Prefetch("attachments", to_attr="attachment_list"))
            .order_by("path")
        )


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        REJECTED = "rejected", _("Rejected")
        DELETED = "deleted", _("Deleted")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="comments", verbose_name=_("article")
    )
    # The comment this one is shown under (capped at COMMENTS_MAX_DEPTH) ...
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # ... and the one it actually answers (notified, and named in "in reply to").
    reply_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reply to"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, verbose_name=_("path"))
    depth = models.PositiveSmallIntegerField(default=0, editable=False, verbose_name=_("depth"))

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("user"),
    )
    guest_name = models.CharField(max_length=80, blank=True, verbose_name=_("guest name"))
    guest_email = models.EmailField(blank=True, verbose_name=_("guest email"))
    # The registered author deleted their account; the comment stays, unsigned.
    author_deleted = models.BooleanField(
        default=False, editable=False, verbose_name=_("author deleted")
    )
    # Whether a guest asked to hear about replies (users use their account setting).
    notify_replies = models.BooleanField(default=False, verbose_name=_("notify replies"))
    # The language the poster read the page in: a guest's reply emails are written in it
    # (a registered author's follow their profile, then this).
    language = models.CharField(
        max_length=10, blank=True, editable=False, verbose_name=_("language")
    )

    body = models.TextField(max_length=settings.COMMENTS_MAX_LENGTH, verbose_name=_("body"))
    body_html = models.TextField(editable=False, verbose_name=_("body html"))
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
        verbose_name=_("status"),
    )
    created_at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name=_("created at")
    )
    edited_at = models.DateTimeField(null=True, blank=True, verbose_name=_("edited at"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("ip address"))
    user_agent = models.CharField(max_length=300, blank=True, verbose_name=_("user agent"))
    edit_token_hash = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("edit token hash")
    )

    like_count = models.PositiveIntegerField(default=0, verbose_name=_("like count"))
    flag_count = models.PositiveIntegerField(default=0, verbose_name=_("flag count"))
    # "Share Your Location": a place name and coordinates, rounded to
    # COMMENTS_LOCATION_PRECISION decimals before they are stored unless the poster
    # chose precise (see comments.location).
    location_name = models.CharField(max_length=120, blank=True, verbose_name=_("location name"))
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("latitude")
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("longitude")
    )
    location_precise = models.BooleanField(default=False, verbose_name=_("location precise"))
    # The stars the poster gave the article with this comment (their vote, in ratings).
    # The stars given with the comment, and whose vote they are (``articles.voters``):
    # the comment shows that voter's current vote (``shown_rating``), so that it stays in
    # step when they change or withdraw it with the article's rating widget.
    rating = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("rating"))
    rating_voter = models.CharField(
        max_length=64, blank=True, default="", editable=False, verbose_name=_("rating voter")
    )

    # Why the rules held or refused it (codes in comments.moderation.REASONS), for
    # moderators only.
    moderation_reasons = models.JSONField(
        default=list, blank=True, editable=False, verbose_name=_("moderation reasons")
    )

    # "Newsroom picks": featured by a moderator (comments.decisions).
    is_featured = models.BooleanField(default=False, editable=False, verbose_name=_("is featured"))
    featured_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("featured at")
    )
    # Moves with every decision and edit: a moderator deciding on what they saw sends
    # it back, and is told (409) when someone else changed the comment since.
    version = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("version"))
    # Shown publicly ("edited by a moderator") once a moderator changed the words.
    edited_by_moderator = models.BooleanField(
        default=False, editable=False, verbose_name=_("edited by moderator")
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
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
            # Serve the moderation desk's queues and their counts (comments.queues): the
            # decided queues newest first, "recently approved", and what readers flagged.
            models.Index(fields=["status", "created_at"], name="comments_comment_status_idx"),
            models.Index(
                fields=["created_at"],
                name="comments_comment_flagged_idx",
                condition=Q(flag_count__gt=0),
            ),
            # Serves the "Newsroom picks" of an article (featured comments).
            models.Index(
                fields=["article", "featured_at"],
                name="comments_comment_featured_idx",
                condition=Q(is_featured=True),
            ),
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
    def author_language(self) -> str:
        """The language to write to the author in: their profile's, else the page's
        they posted from, else the site's."""
        profile = getattr(self.user, "language", "") if self.user_id and self.user else ""
        return profile or self.language or settings.LANGUAGE_CODE

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

    # What its author is shown as "awaiting moderation": held by the rules or a
    # moderator, or silently marked spam (a bot must not learn which).
    SHOWN_TO_AUTHOR_AS_PENDING = ("pending", "spam")

    @property
    def shown_rating(self) -> int | None:
        """The stars the comment shows: its voter's current vote on the article (what
        ``for_page()`` annotates, else one query), or the stars it was sent with when
        the voter is not known (comments from before votes were linked)."""
        if self.rating is None or not self.rating_voter:
            return self.rating
        if not hasattr(self, "current_stars"):
            from ratings.models import Vote

            vote = Vote.objects.filter(article_id=self.article_id, voter=self.rating_voter)
            self.current_stars = vote.values_list("stars", flat=True).first()
        return self.current_stars

    @property
    def is_pending(self) -> bool:
        """Awaiting moderation as its author sees it (a saved comment only); nobody else
        is shown it."""
        return bool(self.pk) and self.status in self.SHOWN_TO_AUTHOR_AS_PENDING

    @property
    def is_deleted(self) -> bool:
        return self.status == self.Status.DELETED

    # Not approved, but kept in its thread as a placeholder while an approved reply
    # hangs under it (``CommentQuerySet.public``): a deleted one as "[deleted]", the
    # others (held for review, spam, rejected: all "pending" to readers, as
    # ``shown_status`` says) as "awaiting moderation".
    PLACEHOLDER_STATUSES = ("deleted", "pending", "spam", "rejected")
    HELD_STATUSES = ("pending", "spam", "rejected")
    # Set by whoever lists a held comment to a reader who is not its author
    # (``comments.threads``): shown as a placeholder, nothing of its own.
    held_placeholder = False

    @property
    def is_placeholder(self) -> bool:
        """Shown without author, text or actions: deleted, or held and not the viewer's."""
        return self.is_deleted or self.held_placeholder

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
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="likes", verbose_name=_("comment")
    )
    # "u:<user id>" or "g:<guest voter id>" (articles.voters).
    voter = models.CharField(max_length=64, verbose_name=_("voter"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("comment like")
        verbose_name_plural = _("comment likes")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "voter"], name="comments_commentlike_one_per_voter"
            )
        ]

    def __str__(self):
        return f"{self.voter} likes #{self.comment_id}"


class CommentFlag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abusive or hateful")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="flags", verbose_name=_("comment")
    )
    # Who sent it, as likes count voters: "u:<user id>" or "g:<guest cookie id>".
    voter = models.CharField(max_length=64, verbose_name=_("voter"))
    # Whom it counts as (``comments.services.flagger_key``): "u:<user id>" for an
    # account; for a guest, their network, "n:203.0.113.0/24" or "n:2001:db8::/64" (a
    # cookie is free to clear, a network is not), or "n:unknown" without an address.
    # One flag per flagger per comment, for good: another guest on a network that has
    # flagged is told "Flagged" and adds nothing. Empty only for rows made outside
    # ``comment_flag`` (the admin, tests), which never count.
    flagger = models.CharField(
        max_length=80, blank=True, default="", editable=False, verbose_name=_("flagger")
    )
    # Whether it moved ``Comment.flag_count`` towards COMMENTS_FLAG_THRESHOLD: every
    # flag ``comment_flag`` stores does; older duplicates from one network do not.
    counts = models.BooleanField(default=False, editable=False, verbose_name=_("counts"))
    # When a moderator approved the comment after this flag: it counts no longer, so a
    # fresh threshold of new flaggers is needed to hide the comment again.
    cleared_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("cleared at")
    )
    # When moderators were emailed about it (the batched flag digest); null: not yet.
    notified_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("notified at")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("user"),
    )
    reason = models.CharField(max_length=10, choices=Reason.choices, verbose_name=_("reason"))
    note = models.CharField(max_length=500, blank=True, verbose_name=_("note"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("ip address"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("comment flag")
        verbose_name_plural = _("comment flags")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "voter"], name="comments_commentflag_one_per_voter"
            ),
            # Concurrent flags from one network (cookie-less requests are new voters
            # each) race here: one row wins, the rest are told "Flagged".
            models.UniqueConstraint(
                fields=["comment", "flagger"],
                condition=~Q(flagger=""),
                name="comments_commentflag_one_per_flagger",
            ),
        ]
        indexes = [
            # Serves the moderators' flag digest: flags not yet emailed, oldest first.
            models.Index(
                fields=["created_at"],
                name="comments_flag_unsent_idx",
                condition=Q(notified_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} flag on #{self.comment_id}"


class ThreadSubscription(models.Model):
    """A registered reader following every new comment under an article."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="thread_subscriptions",
        verbose_name=_("user"),
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("thread subscription")
        verbose_name_plural = _("thread subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"], name="comments_threadsubscription_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} follows {self.article}"
