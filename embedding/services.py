"""Workflows of embedding: adding a site, the record of a page of one, and signing a
reader in with the site's own token."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles import ratelimit
from articles.models import Article
from articles.services import article_outside_get_or_create
from embedding import origins
from embedding.models import EmbedSite, SsoIdentity, new_sso_secret


class EmbedError(Exception):
    """A request this app refuses, with the message for the caller."""


@transaction.atomic
def embed_site_add(*, origin: str, name: str = "", moderation: str = "") -> EmbedSite:
    """Allow ``origin`` to embed newsite (made active if it was switched off). The
    origin is normalised; ValueError for one that is not an http(s) origin."""
    origin = origins.normalise_origin(origin)
    site, created = EmbedSite.objects.get_or_create(
        origin=origin, defaults={"name": name, "moderation": moderation}
    )
    if not created:
        site.active = True
        site.name = name or site.name
        site.save(update_fields=["active", "name"])
    return site


@transaction.atomic
def embed_site_rotate(*, site: EmbedSite) -> str:
    """Give ``site`` a new single sign-on secret: tokens signed with the old one stop
    working at once (sessions already handed out last until they expire)."""
    site.sso_secret = new_sso_secret()
    site.save(update_fields=["sso_secret"])
    return site.sso_secret


@transaction.atomic
def embed_site_moderation_set(*, site: EmbedSite, moderation: str) -> int:
    """Set ``site``'s default moderation policy and apply it to its pages; returns how
    many pages changed."""
    site.moderation = moderation
    site.save(update_fields=["moderation"])
    return (
        Article.objects.filter(external_url__startswith=site.origin + "/")
        .exclude(comment_moderation=moderation)
        .update(comment_moderation=moderation)
    )


def outside_page_get_or_create(
    *, url: str, title: str = "", origin: str | None = None, ip_address: str | None = None
) -> tuple[Article, bool]:
    """The record of the page at ``url``, made on first use if the page's origin is an
    active embed site. ``origin`` is the ``Origin`` the request came with, if any: a
    page may only be made from its own site's pages. EmbedError when not allowed;
    ``ratelimit.RateLimited`` when the client (``ip_address``) or the site has made
    too many new pages lately (``EMBED_NEW_PAGES_RATE``, ``EMBED_NEW_PAGES_SITE_RATE``).
    A page that exists is answered whatever the rate."""
    try:
        url = origins.normalise_page_url(url)
    except ValueError:
        raise EmbedError("Send the page's absolute http(s) address.") from None
    existing = Article.objects.filter(external_url=url).first()
    if existing is not None:
        return existing, False
    page_origin = origins.origin_of(url)
    site = origins.active_sites().get(page_origin)
    if site is None:
        raise EmbedError("This site may not embed comments from here.")
    if origin is not None and origin != page_origin:
        raise EmbedError("A page's comments are started from its own site.")
    # Counted only for a page about to be made: a script that makes up addresses on an
    # allowed origin fills no table, while readers of existing pages never wait.
    ratelimit.hit("embed-page", settings.EMBED_NEW_PAGES_RATE, ip_address=ip_address)
    ratelimit.hit("embed-site-page", settings.EMBED_NEW_PAGES_SITE_RATE, f"site:{site['id']}")
    return article_outside_get_or_create(url=url, title=title, moderation=site["moderation"])


@dataclass(frozen=True)
class SsoReader:
    name: str
    email: str = ""
    avatar: str = ""


@transaction.atomic
def sso_login(*, site: EmbedSite, sub: str, reader: SsoReader) -> SsoIdentity:
    """The newsite account of ``site``'s reader ``sub``, made on their first sign-in;
    their name (and email, avatar) updated from the token each time. Never looks for
    an existing account by email: the address is the host's word, not verified here."""
    identity = (
        SsoIdentity.objects.select_for_update()
        .select_related("user")
        .filter(site=site, sub=sub)
        .first()
    )
    now = timezone.now()
    if identity is None:
        digest = hashlib.sha256(f"{site.pk}:{sub}".encode()).hexdigest()[:24]
        user = get_user_model().objects.create_user(
            username=f"sso-{site.pk}-{digest}", display_name=reader.name[:80]
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        try:
            with transaction.atomic():
                return SsoIdentity.objects.create(
                    site=site,
                    sub=sub,
                    user=user,
                    email=reader.email,
                    avatar=reader.avatar,
                    last_login_at=now,
                )
        except IntegrityError:
            # Another first sign-in of the same reader won: theirs is the account.
            user.delete()
            identity = SsoIdentity.objects.select_related("user").get(site=site, sub=sub)
    user = identity.user
    if user.display_name != reader.name[:80]:
        user.display_name = reader.name[:80]
        user.save(update_fields=["display_name"])
    identity.email, identity.avatar, identity.last_login_at = reader.email, reader.avatar, now
    identity.save(update_fields=["email", "avatar", "last_login_at"])
    return identity
