"""Endpoints that hear of what happens on the site, and the log of what was sent them.

A ``WebhookDelivery`` row is the outbox: it is written in the transaction of the event
(see webhooks/receivers.py), so an event that commits is delivered at least once and
one that rolls back never is.
"""

import base64
import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    COMMENT_CREATED = "comment.created", "comment.created"
    COMMENT_APPROVED = "comment.approved", "comment.approved"
    COMMENT_REJECTED = "comment.rejected", "comment.rejected"
    COMMENT_FLAGGED = "comment.flagged", "comment.flagged"
    COMMENT_DELETED = "comment.deleted", "comment.deleted"
    RATING_CHANGED = "rating.changed", "rating.changed"
    SUBSCRIPTION_CONFIRMED = "subscription.confirmed", "subscription.confirmed"


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


class Webhook(models.Model):
    class Format(models.TextChoices):
        STANDARD = "standard", _("Standard Webhooks (JSON, signed)")
        SLACK = "slack", _("Slack-compatible moderator alert (held and flagged comments)")

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(
        _("events"), default=list, help_text=_("The events sent to this endpoint.")
    )
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.STANDARD
    )
    secret = models.CharField(
        _("signing secret"), max_length=100, default=new_webhook_secret, editable=False
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.description or self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed, will retry")
        GIVEN_UP = "given_up", _("given up")

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    # The ``webhook-id`` header: the same on every attempt, so receivers can drop repeats.
    message_id = models.CharField(
        max_length=40, unique=True, editable=False, verbose_name=_("message id")
    )
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep: deliveries due for a (re)try (webhooks.tasks.deliver_due).
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="webhooks_delivery_due_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed", "given_up"]),
                name="webhooks_webhookdelivery_status_valid",
            )
        ]

    def __str__(self):
        return f"{self.event} → {self.webhook}"

    @staticmethod
    def new_message_id() -> str:
        return f"msg_{uuid.uuid4().hex}"
