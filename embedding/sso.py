"""Single sign-on: the host's signed token in, a short-lived newsite session token out,
and the DRF authentication that reads the session token from ``Authorization: Bearer``.

The host signs ``{sub, name, email, avatar?, exp}`` with HS256 and its site's secret
(PyJWT checks the signature and the expiry); ``exp`` may be at most 24 hours ahead, so
a leaked token is not good for long. The session token newsite hands back is signed
with newsite's own key, names the site and the identity, and is checked against the
database on every request (a site switched off, or an identity deleted, ends it).
Nothing here uses a cookie: the widget keeps the token and sends it as a header, so it
works with third-party cookies blocked.
"""

import time

import jwt
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from embedding.authentication import KEYWORD, SESSION_SALT
from embedding.models import EmbedSite, SsoIdentity
from embedding.services import SsoReader

MAX_TOKEN_LIFETIME = 24 * 3600
# Clock skew allowed between the host and newsite.
LEEWAY = 60
__all__ = [
    "KEYWORD",
    "SsoError",
    "account_session_token",
    "session_max_age",
    "session_token",
    "sso_reader_from_token",
]


class SsoError(Exception):
    """A host token newsite will not take; the message says why (401)."""


def sso_reader_from_token(*, site: EmbedSite, token: str) -> tuple[str, SsoReader]:
    """``(sub, reader)`` from a token ``site`` signed. SsoError if it is malformed, not
    signed with this site's secret, expired, or valid for more than 24 hours."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise SsoError(_("Send the token your site signed."))
    try:
        claims = jwt.decode(
            token,
            site.sso_secret,
            algorithms=["HS256"],
            options={"require": ["sub", "exp"]},
            leeway=LEEWAY,
        )
    except jwt.ExpiredSignatureError:
        raise SsoError(_("The sign-in token has expired.")) from None
    except jwt.InvalidTokenError:
        raise SsoError(_("The sign-in token is not valid for this site.")) from None
    if claims["exp"] > time.time() + MAX_TOKEN_LIFETIME + LEEWAY:
        raise SsoError(_("The sign-in token must expire within 24 hours."))
    sub, name = claims.get("sub"), claims.get("name")
    if not isinstance(sub, str) or not 0 < len(sub) <= 255:
        raise SsoError(_("The sign-in token needs a sub (the reader's id on your site)."))
    if not isinstance(name, str) or not name.strip():
        raise SsoError(_("The sign-in token needs the reader's name."))
    email, avatar = claims.get("email") or "", claims.get("avatar") or ""
    if not isinstance(email, str) or len(email) > 254:
        email = ""
    if not isinstance(avatar, str) or not avatar.startswith("https://") or len(avatar) > 500:
        avatar = ""
    return sub, SsoReader(name=" ".join(name.split())[:80], email=email, avatar=avatar)


def session_token(identity: SsoIdentity) -> str:
    """The token the widget sends back as ``Authorization: Bearer <token>``
    (``embedding.authentication``)."""
    return signing.dumps({"i": identity.pk, "s": identity.site_id}, salt=SESSION_SALT)


def account_session_token(user, *, site_id: int) -> str:
    """The same kind of token for a newsite account signed in through the "Log in with
    newsite" popup, good on ``site_id``'s pages only and until the password changes."""
    return signing.dumps(
        {"u": user.pk, "s": site_id, "h": user.get_session_auth_hash()}, salt=SESSION_SALT
    )


def session_max_age() -> int:
    return settings.EMBED_SSO_SESSION_SECONDS
