"""Signed tokens in newsletter links.

A confirmation token expires (``NEWSLETTER_CONFIRM_MAX_AGE``); a manage token (the
unsubscribe and preference links in every email) does not, since old emails must still
unsubscribe. Each carries the subscriber's address as well as its id, so that a token
never acts on a different subscriber who got a reused id.
"""

from django.conf import settings
from django.core import signing

_CONFIRM_SALT = "newsletter.confirm"
_MANAGE_SALT = "newsletter.manage"


class InvalidToken(Exception):
    pass


def confirm_token(*, subscriber, list_ids) -> str:
    payload = {"s": subscriber.pk, "e": subscriber.email, "l": sorted(list_ids)}
    return signing.dumps(payload, salt=_CONFIRM_SALT, compress=True)


def read_confirm_token(token: str) -> dict:
    """``{"s": subscriber id, "e": email, "l": [list ids]}``; raise ``InvalidToken`` when
    the token is forged, damaged or older than ``NEWSLETTER_CONFIRM_MAX_AGE``."""
    try:
        payload = signing.loads(
            token, salt=_CONFIRM_SALT, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE
        )
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise InvalidToken(str(exc)) from exc
    if not isinstance(payload, dict) or not {"s", "e", "l"} <= payload.keys():
        raise InvalidToken("Malformed token.")
    return payload


def manage_token(subscriber) -> str:
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=_MANAGE_SALT)


def read_manage_token(token: str) -> dict:
    try:
        payload = signing.loads(token, salt=_MANAGE_SALT)
    except signing.BadSignature as exc:
        raise InvalidToken(str(exc)) from exc
    if not isinstance(payload, dict) or not {"s", "e"} <= payload.keys():
        raise InvalidToken("Malformed token.")
    return payload
