"""The embed widget's signed-in reader: ``Authorization: Bearer <session token>``, the
token ``POST /api/v1/embed/sso/`` hands out (``embedding.sso``).

Named in ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``, so this module is
imported while DRF loads: it imports no models at the top.
"""

from django.conf import settings
from django.core import signing
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
        from embedding.models import SsoIdentity

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
        identity = (
            SsoIdentity.objects.select_related("user", "site")
            .filter(pk=data.get("i"), site_id=data.get("s"), site__active=True)
            .first()
        )
        if identity is None or not identity.user.is_active:
            raise SessionRefused(_("The session token is not valid."))
        origin = request.headers.get("Origin")
        if origin and origin != identity.site.origin:
            raise SessionRefused(_("This sign-in belongs to another site."))
        return identity.user, identity

    def authenticate_header(self, request):
        return KEYWORD
