"""Other sites that embed newsite's comment section, and their readers signed in with
the site's own accounts (single sign-on)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models import MODERATION_CHOICES


def new_sso_secret() -> str:
    """A fresh secret for signing a site's single sign-on tokens (HS256): 256 bits."""
    return secrets.token_urlsafe(32)


class EmbedSite(models.Model):
    """An origin (``https://host.example``) allowed to embed the comment section: its
    pages get records of their own on first use, its pages' scripts may call the API
    (CORS), and it signs its readers in with ``sso_secret``."""

    origin = models.CharField(
        max_length=200,
        unique=True,
        help_text=_("Scheme, host and port only, e.g. https://news.example.org"),
        verbose_name=_("origin"),
    )
    name = models.CharField(max_length=120, blank=True, verbose_name=_("name"))
    moderation = models.CharField(
        _("default moderation policy"),
        max_length=20,
        blank=True,
        choices=MODERATION_CHOICES,
        help_text=_("Applies to this site's pages (changing it updates their policy)."),
    )
    sso_secret = models.CharField(
        _("single sign-on secret"), max_length=100, default=new_sso_secret, editable=False
    )
    active = models.BooleanField(
        default=True,
        help_text=_("Untick to stop this site's pages from working."),
        verbose_name=_("active"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("embed site")
        verbose_name_plural = _("embed sites")
        ordering = ["origin"]
        constraints = [
            # ``embedding.origins.normalise_origin`` writes every origin this way.
            models.CheckConstraint(
                condition=models.Q(origin__startswith="http://")
                | models.Q(origin__startswith="https://"),
                name="embedding_embedsite_origin_http",
            ),
        ]

    def __str__(self):
        return self.name or self.origin


class SsoIdentity(models.Model):
    """One reader of an embed site (``sub`` in the site's tokens), mapped to one newsite
    account. The account is the site's alone: the same ``sub`` on another site is
    another reader, and the token's email is kept here, never used to find or link an
    existing account (the host vouches for it, newsite never verified it)."""

    site = models.ForeignKey(
        EmbedSite, on_delete=models.CASCADE, related_name="identities", verbose_name=_("site")
    )
    sub = models.CharField(max_length=255, verbose_name=_("sub"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sso_identity",
        verbose_name=_("user"),
    )
    email = models.EmailField(blank=True, verbose_name=_("email"))
    avatar = models.URLField(max_length=500, blank=True, verbose_name=_("avatar"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    last_login_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last login at"))

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "sub"], name="embedding_ssoidentity_site_sub_unique"
            ),
        ]

    def __str__(self):
        return f"{self.sub} @ {self.site}"
