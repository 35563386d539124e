"""What moderators work with: bans, blocked words, the audit log and the queue."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.ratelimit import canonical_email, canonical_network
from comments.models.comment import Comment


class BanQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class Ban(models.Model):
    """Keeps a user, an email address, an email domain or an IP network from posting.

    A user's ban also keeps the account's (canonical) email: the ban outlives the
    account (``user`` is then set null) and still refuses whoever signs up or posts as
    a guest with that mailbox again."""

    class Kind(models.TextChoices):
        USER = "user", _("User")
        EMAIL = "email", _("Email address")
        DOMAIN = "domain", _("Email domain")
        NETWORK = "network", _("IP address or network")

    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bans",
        verbose_name=_("user"),
    )
    email = models.EmailField(
        blank=True,
        help_text=_(
            "Matches every spelling of the mailbox (case, +tags, Gmail's dots). "
            "For a user's ban: the account's address, kept after the account is deleted."
        ),
        verbose_name=_("email"),
    )
    domain = models.CharField(
        max_length=253,
        blank=True,
        help_text=_("e.g. spam.example (its subdomains too)."),
        verbose_name=_("domain"),
    )
    network = models.CharField(
        max_length=50,
        blank=True,
        help_text=_(
            "An address or CIDR network, IPv4 or IPv6; "
            "an IPv6 address or network narrower than /64 bans its whole /64."
        ),
        verbose_name=_("network"),
    )
    reason = models.CharField(max_length=300, blank=True, verbose_name=_("reason"))
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Empty: never expires."), verbose_name=_("expires at")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = BanQuerySet.as_manager()

    class Meta:
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        ordering = ["-created_at"]
        constraints = [
            # A user's ban may lose its user (the account deleted): it then holds
            # by the email kept on it, or by nothing if the account had none.
            models.CheckConstraint(
                condition=Q(kind="user")
                | (Q(kind="email") & ~Q(email=""))
                | (Q(kind="domain") & ~Q(domain=""))
                | (Q(kind="network") & ~Q(network="")),
                name="comments_ban_target_matches_kind",
            ),
        ]

    def __str__(self):
        target = {
            self.Kind.USER: self._user_target,
            self.Kind.EMAIL: lambda: self.email,
            self.Kind.DOMAIN: lambda: self.domain,
            self.Kind.NETWORK: lambda: self.network,
        }[self.kind]()
        return _("Ban of %(kind)s %(target)s") % {
            "kind": self.get_kind_display().lower(),
            "target": target,
        }

    def _user_target(self) -> str:
        if self.user_id is not None:
            return str(self.user)
        return f"(deleted account {self.email or 'without an email'})"

    # Which field names the target of each kind of ban.
    TARGET_FIELD = {"user": "user", "email": "email", "domain": "domain", "network": "network"}

    def clean(self):
        """Normalise the target as bans are matched (``comments.moderation.ban_for``):
        the canonical email, the domain without "@", the network in CIDR form with an
        IPv4-mapped one as IPv4 (an IPv6 one is kept as typed: matching widens it)."""
        if self.kind not in self.TARGET_FIELD:
            raise ValidationError(
                {"kind": _("Choose what to ban: a user, an email, a domain or an IP network.")}
            )
        if self.kind == self.Kind.USER and self.user_id is not None and self._state.adding:
            # Kept so the ban still knows the mailbox once the account is gone.
            self.email = self.user.email
        self.email = canonical_email(self.email)
        self.domain = (self.domain or "").strip().lower().lstrip("@").rstrip(".")
        self.network = (self.network or "").strip()
        if self.kind == self.Kind.NETWORK and self.network:
            try:
                self.network = str(canonical_network(self.network, widen=False))
            except ValueError:
                raise ValidationError(
                    {"network": _("Enter an IP address or CIDR network.")}
                ) from None
        field = self.TARGET_FIELD[self.kind]
        # A user's ban may outlive its account (it holds by the email it kept, if any).
        outlived = field == "user" and not self._state.adding
        if not outlived and not getattr(self, "user_id" if field == "user" else field):
            raise ValidationError({field: _("Required for this kind of ban.")})

    @property
    def is_active(self) -> bool:
        return self.expires_at is None or self.expires_at > timezone.now()


class BlockedWord(models.Model):
    """A word or phrase that holds (or refuses) a comment containing it.

    Matched as whole words, case-insensitively, in any script ("ass" does not match
    "class"; "Arsch" matches "arsch")."""

    class Action(models.TextChoices):
        PENDING = "pending", _("Hold for review")
        REJECTED = "rejected", _("Reject")

    phrase = models.CharField(max_length=100, verbose_name=_("phrase"))
    action = models.CharField(
        max_length=10, choices=Action.choices, default=Action.PENDING, verbose_name=_("action")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("blocked word")
        verbose_name_plural = _("blocked words")
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
        HELD = "held", _("Held by the rules")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        SPAM = "spam", _("Marked as spam")
        DELETE = "delete", _("Deleted")
        PENDING = "pending", _("Sent back to review")
        EDIT = "edit", _("Edited")
        BAN = "ban", _("Banned")
        RESTORE = "restore", _("Restored")
        FEATURE = "feature", _("Featured")
        UNFEATURE = "unfeature", _("No longer featured")
        UNDO = "undo", _("Decision undone")
        TRUST = "trust", _("Author's trust changed")

    class Screen(models.TextChoices):
        """Where a decision was taken (the audit log says from which screen)."""

        RULES = "rules", _("The rules")
        DESK = "desk", _("Moderation desk")
        BULK = "bulk", _("Moderation desk, bulk")
        API = "api", _("API")
        ADMIN = "admin", _("Admin")
        PAGE = "page", _("Article page")

    created_at = models.DateTimeField(
        default=timezone.now, db_index=True, editable=False, verbose_name=_("created at")
    )
    # Empty for the automatic rules, and once the moderator's account is deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("actor"),
    )
    # Who the actor was, written with the row: the log still names the moderator after
    # their account is deleted. Empty for the rules.
    actor_name = models.CharField(
        max_length=200, blank=True, editable=False, verbose_name=_("actor name")
    )
    screen = models.CharField(
        max_length=10, choices=Screen.choices, blank=True, editable=False, verbose_name=_("screen")
    )
    action = models.CharField(
        max_length=10, choices=Action.choices, editable=False, verbose_name=_("action")
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_log",
        editable=False,
        verbose_name=_("comment"),
    )
    from_status = models.CharField(
        max_length=10, blank=True, editable=False, verbose_name=_("from status")
    )
    to_status = models.CharField(
        max_length=10, blank=True, editable=False, verbose_name=_("to status")
    )
    reason = models.CharField(max_length=300, blank=True, editable=False, verbose_name=_("reason"))

    class Meta:
        verbose_name = _("moderation log")
        verbose_name_plural = _("moderation logs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.who}: {self.get_action_display()} #{self.comment_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("The moderation log is append-only.")
        if self.actor_id is not None and not self.actor_name:
            self.actor_name = self.name_of(self.actor)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The moderation log is append-only.")

    @staticmethod
    def name_of(user) -> str:
        """How a row names its moderator for good: the public name and, if that differs,
        the username (public names need not be unique)."""
        if user is None:
            return ""
        name, username = str(user), user.get_username()
        return (name if name == username else f"{name} ({username})")[:200]

    @property
    def who(self) -> str:
        """The moderator (as the account reads now), the name kept for a deleted one,
        or "rules" for the automatic rules."""
        if self.actor_id is not None:
            return str(self.actor)
        if self.actor_name:
            return str(_("%(name)s (account deleted)") % {"name": self.actor_name})
        return str(_("rules"))


class ModerationQueueItem(Comment):
    """The moderators' queue in the admin: pending comments and published ones that
    readers flagged (the admin narrows the rows; the table is ``Comment``'s)."""

    class Meta:
        proxy = True
        verbose_name = _("moderation queue")
        verbose_name_plural = _("moderation queue")


class CommentRevision(models.Model):
    """One change of a comment's words or place (by its author or a moderator): who,
    when, what it was and what it became. Shown on the moderation desk's card."""

    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        related_name="revisions",
        editable=False,
        verbose_name=_("comment"),
    )
    created_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("created at")
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("editor"),
    )
    # Kept with the row, as the audit log does: the name outlives the account. A guest
    # author editing with their token has no account: their name as shown.
    editor_name = models.CharField(
        max_length=200, blank=True, editable=False, verbose_name=_("editor name")
    )
    by_moderator = models.BooleanField(
        default=False, editable=False, verbose_name=_("by moderator")
    )
    old_body = models.TextField(blank=True, editable=False, verbose_name=_("old body"))
    new_body = models.TextField(blank=True, editable=False, verbose_name=_("new body"))
    # {"name", "latitude", "longitude", "precise"} or {} for no location.
    old_location = models.JSONField(
        default=dict, blank=True, editable=False, verbose_name=_("old location")
    )
    new_location = models.JSONField(
        default=dict, blank=True, editable=False, verbose_name=_("new location")
    )

    class Meta:
        verbose_name = _("comment revision")
        verbose_name_plural = _("comment revisions")
        ordering = ["created_at", "pk"]
        indexes = [
            # Serves the desk card's edit history of one comment.
            models.Index(fields=["comment", "created_at"], name="comments_revision_comment_idx")
        ]

    def __str__(self):
        return f"Revision of comment {self.comment_id} at {self.created_at:%Y-%m-%d %H:%M}"


class AuthorTrust(models.Model):
    """A moderator's word on an author, over what the rules would decide: always
    publish (trusted) or always review. An account, or a guest by canonical email."""

    class Level(models.TextChoices):
        TRUSTED = "trusted", _("Trusted: skips review")
        REVIEW = "review", _("Always review")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comment_trust",
        verbose_name=_("user"),
    )
    # A guest's address as ``articles.ratelimit.canonical_email`` spells it.
    email = models.EmailField(max_length=254, blank=True, db_index=True, verbose_name=_("email"))
    level = models.CharField(max_length=10, choices=Level.choices, verbose_name=_("level"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("set at"))
    note = models.CharField(max_length=300, blank=True, verbose_name=_("note"))

    class Meta:
        verbose_name = _("author trust")
        verbose_name_plural = _("author trusts")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(email=""))
                | (Q(user__isnull=True) & ~Q(email="")),
                name="comments_authortrust_one_author",
            ),
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="comments_authortrust_one_per_email"
            ),
        ]

    def __str__(self):
        return f"{self.user or self.email}: {self.get_level_display()}"
