"""One voter identity for likes, flags and votes.

A registered reader is ``u:<id>``. A guest is ``g:<random id>`` carried in a signed,
HttpOnly cookie that the middleware sets on the first visit; signing keeps a client
from choosing somebody else's identity (it can still clear the cookie, which is why
rate limits and bans do not rely on it).

Where cookies cannot go (newsite's comments embedded in another site's page, with
third-party cookies blocked) the voter id travels signed in the ``X-Newsite-Voter``
header instead: a client that sends ``X-Newsite-Voter: new`` (and no cookie) gets its
id in that header of the API's answer, and sends it back with every later request.
"""

import secrets

from django.conf import settings
from django.core import signing

from articles.cache import ENGAGED_COOKIE

COOKIE = "voter"
_SALT = "newsite.voter"
_MAX_AGE = 60 * 60 * 24 * 365 * 2
# Files, health probes and the browser's own CSP reports: nobody votes or writes there
# (a report is not the reader's doing, so it must not end their cached pages either).
_NO_COOKIE_PATHS = ("/static/", "/media/", "/healthz", "/livez", "/csp-report/")


HEADER = "X-Newsite-Voter"


def _signer():
    return signing.TimestampSigner(salt=_SALT + ".header")


def _read(request) -> str | None:
    try:
        value = request.get_signed_cookie(COOKIE, salt=_SALT, default=None, max_age=_MAX_AGE)
    except signing.BadSignature:  # pragma: no cover - get_signed_cookie returns default
        return None
    if value is None:
        value = _read_header(request)
    if value and len(value) <= 40 and value.isascii():
        return value
    return None


def _read_header(request) -> str | None:
    sent = request.headers.get(HEADER)
    if not sent or len(sent) > 200:
        return None
    try:
        return _signer().unsign(sent.strip(), max_age=_MAX_AGE)
    except signing.BadSignature:
        return None


def voter_token(voter_id: str) -> str:
    """The signed value of ``voter_id`` as the ``X-Newsite-Voter`` header carries it."""
    return _signer().sign(voter_id)


def user_voter_key(user) -> str | None:
    """A signed-in user's voter key (``u:<id>``); None for anyone else."""
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    return None


def voter_key(request) -> str:
    """The caller's voter key (``u:<id>`` or ``g:<id>``)."""
    return user_voter_key(getattr(request, "user", None)) or f"g:{request.voter_id}"


def known_voter_key(request) -> str | None:
    """The voter key when the client already carries one (a signed-in reader, or a
    guest whose cookie came with this request); None for a guest seen for the first
    time, whose id was made up for this request and will differ on the next."""
    user_key = user_voter_key(getattr(request, "user", None))
    if user_key is not None:
        return user_key
    existing = _read(request)
    return f"g:{existing}" if existing else None


_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class VoterCookieMiddleware:
    """Give every visitor a stable guest voter id, set as a signed cookie once; and mark
    a client that wrote something (a comment, vote, like, flag...) so that it is no
    longer served the shared cached page but sees its own state (``articles.cache``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        existing = _read(request)
        request.voter_id = existing or secrets.token_urlsafe(16)
        response = self.get_response(request)
        quiet = request.path.startswith(_NO_COOKIE_PATHS)
        if existing is None and HEADER in request.headers and request.path.startswith("/api/"):
            # A client that keeps its voter id itself asked for one (``new``, or a
            # value that is no longer good): other answers stay as they were.
            response[HEADER] = voter_token(request.voter_id)
        if existing is None and not quiet:
            response.set_signed_cookie(
                COOKIE,
                request.voter_id,
                salt=_SALT,
                max_age=_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        if (
            request.method in _UNSAFE_METHODS
            and not quiet
            and response.status_code < 400
            and ENGAGED_COOKIE not in request.COOKIES
        ):
            response.set_cookie(
                ENGAGED_COOKIE,
                "1",
                max_age=_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
