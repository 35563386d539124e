"""The embed widget's signed-in reader: ``Authorization: Bearer <session token>``, the
token ``POST /api/v1/embed/sso/`` hands out for a host's reader (``embedding.sso``), or
the "Log in with newsite" popup for a newsite account (``embedding.views``).

Named in ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``, so this module is
imported while DRF loads: it imports no models at the top.
"""

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import authentication, exceptions

KEYWORD = "Bearer"
SESSION_SALT = "embedding.sso.session"


class SessionRefused(exceptions.APIException):
    """401 with ``WWW-Authenticate: Bearer``. Not DRF's ``AuthenticationFailed``,
    which DRF turns into a 403 when the first authentication class (the site's
    session) names no scheme."""

    status_code = 401
    default_detail = gettext_lazy("The session token is not valid.")
    auth_header = KEYWORD


class SsoSessionAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <session token>`` from the embed widget. A token sent
    from another embed site's page (``Origin``) than the one that signed the reader in
    is refused: one site's readers never act from another's pages."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise SessionRefused(_("Send Bearer and one token."))
        try:
            data = signing.loads(
                parts[1].decode("ascii"),
                salt=SESSION_SALT,
                max_age=settings.EMBED_SSO_SESSION_SECONDS,
            )
        except signing.SignatureExpired:
            raise SessionRefused(_("Your sign-in has expired: sign in again.")) from None
        except (signing.BadSignature, UnicodeDecodeError):
            raise SessionRefused(_("The session token is not valid.")) from None
        user, site_origin, auth = _account(data) if "u" in data else _sso_identity(data)
        if user is None or not user.is_active:
            raise SessionRefused(_("The session token is not valid."))
        origin = request.headers.get("Origin")
        if origin and origin != site_origin:
            raise SessionRefused(_("This sign-in belongs to another site."))
        return user, auth

    def authenticate_header(self, request):
        return KEYWORD


def _sso_identity(data: dict):
    """A host's reader signed in with single sign-on: ``(user, site origin, identity)``."""
    from embedding.models import SsoIdentity

    identity = (
        SsoIdentity.objects.select_related("user", "site")
        .filter(pk=data.get("i"), site_id=data.get("s"), site__active=True)
        .first()
    )
    if identity is None:
        return None, None, None
    return identity.user, identity.site.origin, identity


def _account(data: dict):
    """A newsite account signed in through the popup: ``(user, site origin, site)``.
    Ends when the account's password changes (its session hash is in the token), when
    the site is switched off, or if the account became staff."""
    from django.contrib.auth import get_user_model

    from embedding.models import EmbedSite

    site = EmbedSite.objects.filter(pk=data.get("s"), active=True).first()
    user = get_user_model().objects.filter(pk=data.get("u")).first()
    if site is None or user is None:
        return None, None, None
    if not constant_time_compare(user.get_session_auth_hash(), str(data.get("h", ""))):
        return None, None, None
    if not account_may_embed(user):
        return None, None, None
    return user, site.origin, site


def account_may_embed(user) -> bool:
    """Whether a newsite account may act from other sites' pages: readers only. A
    moderator's or editor's powers stay on newsite's own pages, out of reach of a host
    page's scripts."""
    from comments.services import can_moderate

    return not (user.is_staff or user.is_superuser or can_moderate(user))
