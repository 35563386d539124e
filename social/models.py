"""Where the sidebar's social posts come from (sources) and the posts themselves."""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from social.safe_fetch import url_problem

# These URLs end up in href attributes: http(s) only, never "javascript:".
_http_url = URLValidator(schemes=["http", "https"])


class SocialSource(models.Model):
    """An account of the site's on a social network: posts typed in the admin
    (``manual``) or read periodically from an RSS/Atom feed (``feed``)."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("Entered in the admin")
        FEED = "feed", _("RSS/Atom feed")

    name = models.CharField(
        max_length=100,
        help_text=_('For editors, e.g. "Newsite on Mastodon".'),
        verbose_name=_("name"),
    )
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.MANUAL, verbose_name=_("kind")
    )
    feed_url = models.URLField(
        _("feed URL"),
        max_length=1000,
        blank=True,
        validators=[_http_url],
        help_text=_("RSS or Atom; http(s) only."),
    )
    label = models.CharField(
        max_length=50,
        blank=True,
        help_text=_('Shown beside each post, e.g. "Mastodon".'),
        verbose_name=_("label"),
    )
    profile_url = models.URLField(
        _("profile URL"),
        max_length=1000,
        blank=True,
        validators=[_http_url],
        help_text=_("The account's public page."),
    )
    is_active = models.BooleanField(
        default=True, help_text=_("Inactive feeds are not fetched."), verbose_name=_("is active")
    )
    last_fetched_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("last fetched at")
    )
    # "ok" or what went wrong on the last fetch.
    last_status = models.CharField(
        max_length=500, blank=True, editable=False, verbose_name=_("last status")
    )
    consecutive_failures = models.PositiveIntegerField(
        default=0, editable=False, verbose_name=_("consecutive failures")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("social source")
        verbose_name_plural = _("social sources")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="manual") | ~Q(feed_url=""),
                name="social_socialsource_feed_has_url",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # The fetcher refuses these anyway (social/safe_fetch.py); saying so here tells
        # the editor at once instead of a "could not fetch" later. Names are resolved
        # only when fetched: no DNS lookups while a form is being checked.
        if self.feed_url and (problem := url_problem(self.feed_url)):
            raise ValidationError({"feed_url": f"This feed URL cannot be fetched: {problem}."})

    @property
    def display_label(self) -> str:
        return self.label or self.name


class SocialPostQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(is_visible=True)

    def newest(self):
        """Newest first, with the source in the same query."""
        return self.select_related("source").order_by("-published_at", "-id")


def _new_guid() -> str:
    return f"manual:{uuid.uuid4()}"


class SocialPost(models.Model):
    source = models.ForeignKey(
        SocialSource, on_delete=models.CASCADE, related_name="posts", verbose_name=_("source")
    )
    text = models.CharField(
        max_length=1000, help_text=_("Plain text; links become clickable."), verbose_name=_("text")
    )
    url = models.URLField(
        _("URL"),
        max_length=1000,
        blank=True,
        validators=[_http_url],
        help_text=_("The post on its site."),
    )
    published_at = models.DateTimeField(verbose_name=_("published at"))
    # The feed entry's id (or link); posts typed in the admin get a random one.
    guid = models.CharField(_("GUID"), max_length=500, default=_new_guid, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    is_visible = models.BooleanField(_("visible"), default=True)

    objects = SocialPostQuerySet.as_manager()

    class Meta:
        verbose_name = _("social post")
        verbose_name_plural = _("social posts")
        constraints = [
            # Decides deduplication: fetching a feed again adds nothing twice.
            models.UniqueConstraint(
                fields=["source", "guid"], name="social_socialpost_unique_guid"
            ),
        ]
        indexes = [
            # Serves SocialPost.objects.visible().newest()[:n] (the box and the API).
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(is_visible=True),
                name="social_post_visible_newest",
            ),
        ]

    def __str__(self):
        return self.text[:60]
