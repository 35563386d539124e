"""Reading an idempotency key from a request: its value (the ``Idempotency-Key``
header of the API, the page form's hidden ``idempotency_key``), whose it is, and a
fingerprint of what was sent. ``services.comment_create_once`` does the rest."""

import hashlib
import json
import uuid

from django.core.exceptions import ValidationError

from articles import ratelimit
from articles.voters import known_voter_key

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"
MAX_LENGTH = 100


def new_key() -> str:
    """A fresh key for a page form: random, so two renders never share one."""
    return uuid.uuid4().hex


def clean_key(value: str | None, *, name: str = HEADER) -> str | None:
    """None when absent; the key when it is 1..100 printable ASCII characters; else
    ``ValidationError({name: [...]})``."""
    if value is None:
        return None
    if not 1 <= len(value) <= MAX_LENGTH or not all(" " < c <= "~" for c in value):
        raise ValidationError(
            {name: [f"Send 1 to {MAX_LENGTH} printable ASCII characters, without spaces."]}
        )
    return value


def scopes_of(request) -> dict:
    """Whose key it is, as ``comment_create_once``'s ``scope`` and ``other_scopes``:
    the account, else the guest's signed voter cookie, else (a client without cookies)
    the IP address; two posters never share a scope. A guest with a cookie may have
    sent the first try without it (the cookie came with the first answer), so their
    IP address's keys count too."""
    known = known_voter_key(request)
    by_ip = f"ip:{ratelimit.client_ip(request)}"
    if known is None:
        return {"scope": by_ip, "other_scopes": ()}
    return {"scope": known, "other_scopes": () if known.startswith("u:") else (by_ip,)}


def fingerprint(**parts) -> str:
    """A hash of what a request asks for, to tell a retry (same) from another request
    reusing the key (different). Files count by name and content."""
    files = parts.pop("attachments", None) or []
    parts["attachments"] = [[f.name, hashlib.sha256(f.data).hexdigest()] for f in files]
    canonical = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def comment_fingerprint(create: dict) -> str:
    """The fingerprint of ``comment_create``'s arguments: what the comment says and
    where it goes, not the anti-spam fields nor where it came from."""
    return fingerprint(
        article=create["article"].pk,
        body=create["body"],
        name=create["guest_name"],
        email=create["guest_email"],
        parent=create["parent"].pk if create["parent"] else None,
        notify_replies=create["notify_replies"],
        subscribe=create["subscribe"],
        location=create["location"],
        rating=create["rating"],
        attachments=create["attachments"],
    )
