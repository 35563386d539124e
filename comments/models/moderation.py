"""What moderators work with: bans, blocked words, the audit log and the queue."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from comments.models.comment import Comment


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
