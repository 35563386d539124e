"""Newsletter lists, their subscribers (double opt-in), issues and per-subscriber deliveries.

Exactly-once sending rests on ``Delivery``: one row per (issue, subscriber), unique in
the database, claimed under a row lock before its email goes out (see
``newsletter.services.issue_send_batch``).
"""

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.markup import render_article

PUBLIC_LISTS_CACHE_KEY = "newsletter:public-lists"

# A delivery that failed this many times is given up (shown as failed in the admin).
MAX_ATTEMPTS = 3


class NewsletterListQuerySet(models.QuerySet):
    def public(self):
        """Lists readers may pick in the sign-up box, the API and the preference page."""
        return self.filter(is_public=True)

    def defaults(self):
        """Lists a sign-up joins when it names none."""
        return self.filter(is_public=True, is_default=True)


class NewsletterList(models.Model):
    name = models.CharField(max_length=100, verbose_name=_("name"))
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("slug"))
    description = models.CharField(max_length=300, blank=True, verbose_name=_("description"))
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Offered in the sign-up box, the API and preferences."),
    )
    is_default = models.BooleanField(
        _("default"),
        default=False,
        help_text=_("Pre-ticked in the sign-up box; joined by API sign-ups naming no list."),
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text=_("Order (lowest first)."), verbose_name=_("position")
    )

    objects = NewsletterListQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("newsletter lists")
        ordering = ["position", "name"]
        verbose_name = _("newsletter list")

    def __str__(self):
        return self.name

    @staticmethod
    def cached_public() -> list[dict]:
        """The public lists as ``{slug, name, is_default}`` for the sign-up box: one query,
        then none while cached (``forget_cached`` runs whenever a list changes)."""
        lists = cache.get(PUBLIC_LISTS_CACHE_KEY)
        if lists is None:
            lists = list(NewsletterList.objects.public().values("slug", "name", "is_default"))
            cache.set(PUBLIC_LISTS_CACHE_KEY, lists, 3600)
        return lists

    @staticmethod
    def forget_cached(**kwargs) -> None:
        cache.delete(PUBLIC_LISTS_CACHE_KEY)


class SubscriberQuerySet(models.QuerySet):
    def by_email(self, email: str):
        """The subscriber with this address, whatever its case.

        Filters on ``LOWER(email)`` so that the unique expression index
        ``newsletter_subscriber_email_unique`` serves the lookup.
        """
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.strip().lower())


class Subscriber(models.Model):
    class Reason(models.TextChoices):
        NONE = "", "—"
        REQUEST = "request", _("Asked to unsubscribe")
        BOUNCE = "bounce", _("Bounced")
        COMPLAINT = "complaint", _("Complaint (marked as spam)")

    # Stored lower-case (checked by the database) and unique whatever the case.
    email = models.EmailField(max_length=254, verbose_name=_("email"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_subscribers",
        help_text=_("The account with this verified address, if any."),
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # The language of the page they subscribed from: their emails are written in it
    # (an account's profile language comes first).
    language = models.CharField(
        max_length=10, blank=True, editable=False, verbose_name=_("language")
    )
    unsubscribed_reason = models.CharField(
        max_length=20,
        choices=Reason.choices,
        default=Reason.NONE,
        blank=True,
        verbose_name=_("unsubscribed reason"),
    )
    unsubscribed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("unsubscribed at"))

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_unique"),
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="newsletter_subscriber_email_lowercase"
            ),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def email_language(self) -> str:
        """What to write to them in: their account's profile language, else the page's
        they subscribed from, else the site's."""
        profile = getattr(self.user, "language", "") if self.user_id else ""
        return profile or self.language or settings.LANGUAGE_CODE


class Subscription(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("subscriber"),
    )
    list = models.ForeignKey(
        NewsletterList,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("list"),
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))
    unsubscribed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("unsubscribed at"))

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "list"], name="newsletter_subscription_once_per_list"
            ),
        ]
        indexes = [
            # issue_send: confirmed subscribers of the issue's lists.
            models.Index(fields=["list", "status"], name="newsletter_sub_list_status"),
        ]

    def __str__(self):
        return f"{self.subscriber} → {self.list} ({self.get_status_display()})"


class IssueQuerySet(models.QuerySet):
    def with_progress(self):
        """Annotate ``sent_count``, ``failed_count``, ``remaining_count`` (pending) and
        ``skipped_count`` in the same query (the admin list shows them per issue)."""

        def count(status):
            return Count("deliveries", filter=Q(deliveries__status=status))

        return self.annotate(
            sent_count=count(Delivery.Status.SENT),
            failed_count=count(Delivery.Status.FAILED),
            remaining_count=count(Delivery.Status.PENDING),
            skipped_count=count(Delivery.Status.SKIPPED),
        )


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    subject = models.CharField(max_length=200, verbose_name=_("subject"))
    body = models.TextField(help_text=_("Markdown."), verbose_name=_("body"))
    body_html = models.TextField(editable=False, blank=True, verbose_name=_("body html"))
    lists = models.ManyToManyField(NewsletterList, related_name="issues", verbose_name=_("lists"))
    featured_articles = models.ManyToManyField(
        "articles.Article",
        blank=True,
        related_name="newsletter_issues",
        help_text=_("Shown after the text, with their standfirsts and links."),
        verbose_name=_("featured articles"),
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        editable=False,
        verbose_name=_("status"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_issues",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    queued_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("queued at")
    )
    sent_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("sent at"))

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["-created_at"]
        permissions = [("send_issue", "Can send newsletter issues")]

    def __str__(self):
        return self.subject

    def save(self, *args, **kwargs):
        self.body_html = render_article(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_preview_url(self):
        return reverse("admin:newsletter_issue_preview", args=[self.pk])

    def progress(self) -> dict[str, int]:
        """Deliveries by outcome, from the ``with_progress`` annotations when present."""
        if not hasattr(self, "sent_count"):
            counts = dict(self.deliveries.values_list("status").annotate(n=Count("pk")).order_by())
            return {
                "sent": counts.get(Delivery.Status.SENT, 0),
                "failed": counts.get(Delivery.Status.FAILED, 0),
                "remaining": counts.get(Delivery.Status.PENDING, 0),
                "skipped": counts.get(Delivery.Status.SKIPPED, 0),
            }
        return {
            "sent": self.sent_count,
            "failed": self.failed_count,
            "remaining": self.remaining_count,
            "skipped": self.skipped_count,
        }


class DeliveryQuerySet(models.QuerySet):
    def sendable(self):
        """Not sent yet: pending, or failed with attempts left."""
        return self.filter(
            Q(status=Delivery.Status.PENDING)
            | Q(status=Delivery.Status.FAILED, attempts__lt=MAX_ATTEMPTS)
        )


class Delivery(models.Model):
    """One issue to one subscriber. Its row is locked while the email is sent and marked
    sent in the same transaction, so an email is never sent twice for it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Unsubscribed between queueing and sending: never sent.
        SKIPPED = "skipped", _("Skipped (unsubscribed)")

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("issue")
    )
    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscriber"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    error = models.TextField(blank=True, verbose_name=_("error"))

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletter_delivery_once_per_subscriber"
            ),
        ]
        indexes = [
            # The claim in issue_send_batch: Delivery.objects.filter(issue=…).sendable()
            # .order_by("attempts", "pk") — only unsent rows are ever searched.
            models.Index(
                fields=["issue", "attempts", "id"],
                condition=Q(status__in=["pending", "failed"]),
                name="newsletter_delivery_unsent",
            ),
        ]

    def __str__(self):
        return f"{self.issue} → {self.subscriber} ({self.get_status_display()})"
