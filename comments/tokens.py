"""A guest author's edit tokens, carried on pages in one signed, HttpOnly cookie; and
a guest's proof of trust (below: ``remember_trust``), in another.

The API hands a token out once (``edit_token``) and takes it back in the
``X-Comment-Token`` header; pages cannot ask a guest to paste a secret, so the create
response (page form or API) also keeps it in the ``comment_edit_tokens`` cookie. One
cookie for all of a guest's comments, holding the newest ``MAX_TOKENS`` (a cookie per
comment grew the Cookie header past the server's limit after ~80 posts, and every
request from that browser then failed with 431). Tokens past the edit window are
dropped whenever the cookie is written.
"""

import time

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

COOKIE = "comment_edit_tokens"
MAX_TOKENS = 20
_SALT = "comments.edit"


def _read(request) -> dict[int, tuple[str, int]]:
    """{comment id: (token, expires at)} from the cookie, oldest first; {} when it is
    missing, forged, or older than the edit window."""
    raw = request.get_signed_cookie(
        COOKIE, default="", salt=_SALT, max_age=settings.COMMENTS_EDIT_WINDOW
    )
    entries = {}
    for item in raw.split("~") if raw else []:
        parts = item.split(":")
        if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit():
            entries[int(parts[0])] = (parts[1], int(parts[2]))
    request._comment_edit_tokens = entries
    return dict(entries)


def _write(response, entries: dict[int, tuple[str, int]]) -> None:
    now = int(time.time())
    live = [(pk, token, until) for pk, (token, until) in entries.items() if until > now]
    live = live[-MAX_TOKENS:]
    if not live:
        response.delete_cookie(COOKIE, samesite="Lax")
        return
    response.set_signed_cookie(
        COOKIE,
        "~".join(f"{pk}:{token}:{until}" for pk, token, until in live),
        salt=_SALT,
        max_age=max(until for _, _, until in live) - now,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def remember_edit_token(request, response, comment, token: str | None) -> None:
    """Add a new comment's token to the guest's cookie (the newest ``MAX_TOKENS`` kept)."""
    if not token:
        return
    entries = _read(request)
    entries.pop(comment.pk, None)
    entries[comment.pk] = (token, int(time.time()) + settings.COMMENTS_EDIT_WINDOW)
    _write(response, entries)


def edit_token_from_request(request, comment_id: int) -> str | None:
    """The token from the ``X-Comment-Token`` header, else from the page cookie."""
    header = request.headers.get("X-Comment-Token")
    if header:
        return header.strip()
    entry = _read(request).get(comment_id)
    return entry[0] if entry else None


def remembered_ids(request) -> list[int]:
    """The comments this browser holds edit tokens for (its guest's own, newest last)."""
    return list(_read(request))


def forget_edit_token(request, response, comment_id: int) -> None:
    """The comment is gone: drop its token from the cookie."""
    entries = _read(request)
    if entries.pop(comment_id, None) is not None:
        _write(response, entries)


# --- A guest's proof of trust ---------------------------------------------------------------
# Under the ``first_time_guests`` policy a guest's email address is not proof of who
# they are (anyone can type a trusted reader's). What proves it is a comment this
# browser (or API client) posted with that address and a moderator then approved: each
# guest post hands out a signed claim "comment <id> was posted with the address whose
# digest is <d>" (``comments.moderation.is_trusted`` checks the comment is still
# approved and carries that address). Pages keep the claims in the ``comment_trust``
# cookie; the API returns one as ``trust_token`` and takes it back in that field or the
# ``X-Comment-Trust`` header. The cookie changes nothing a page shows, so it does not
# make the article page personal (``articles.cache._PERSONAL_COOKIE_PREFIXES``).
TRUST_COOKIE = "comment_trust"
TRUST_HEADER = "X-Comment-Trust"
TRUST_MAX_AGE = 365 * 24 * 3600
# Claims kept in the cookie: the newest, at most ``MAX_TRUST_PER_EMAIL`` per address (a
# guest whose last posts wait still has an older, approved one to show).
MAX_TRUST = 12
MAX_TRUST_PER_EMAIL = 3
_TRUST_SALT = "comments.trust"
_DIGEST_SALT = "comments.trust.email"

Claim = tuple[int, str]  # (comment id, email digest)


def email_digest(email: str) -> str:
    """A keyed digest of the normalized address: the cookie names no address."""
    return salted_hmac(_DIGEST_SALT, (email or "").strip().lower()).hexdigest()[:32]


def _claim(text: str) -> Claim | None:
    pk, _, digest = text.partition(":")
    if pk.isascii() and pk.isdigit() and len(pk) < 19 and len(digest) == 32 and digest.isalnum():
        return int(pk), digest
    return None


def _claim_of(comment) -> Claim | None:
    if comment.user_id is not None or not comment.guest_email or not comment.pk:
        return None
    # Kept on the comment: the answer's token and the cookie both make it (a keyed hash).
    kept = getattr(comment, "_trust_claim", None)
    if kept is None or kept[0] != comment.pk or kept[2] != comment.guest_email:
        kept = (comment.pk, email_digest(comment.guest_email), comment.guest_email)
        comment._trust_claim = kept
    return kept[0], kept[1]


def trust_token(comment) -> str | None:
    """The API's signed claim for a guest's new comment (None for a registered user's).

    The same for every call about one comment: it is stamped with the comment's creation
    time, not the clock's, so that a replayed post (an idempotency key) answers with the
    very same body, and the claim's age counts from the comment. ``TimestampSigner``
    reads it back (``_token_claim``): the signature is the one it would make."""
    claim = _claim_of(comment)
    if claim is None:
        return None
    stamp = signing.b62_encode(int(comment.created_at.timestamp()))
    return signing.Signer(salt=_TRUST_SALT).sign(f"{claim[0]}:{claim[1]}:{stamp}")


def _token_claim(token) -> Claim | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    try:
        value = signing.TimestampSigner(salt=_TRUST_SALT).unsign(
            token.strip(), max_age=TRUST_MAX_AGE
        )
    except signing.BadSignature:
        return None
    return _claim(value)


def _trust_cookie_claims(request) -> list[Claim]:
    raw = request.get_signed_cookie(
        TRUST_COOKIE, default="", salt=_TRUST_SALT, max_age=TRUST_MAX_AGE
    )
    claims = (_claim(item) for item in raw.split("~")) if raw else ()
    return [claim for claim in claims if claim is not None][-MAX_TRUST:]


def trust_claims(request, token: str | None = None) -> tuple[Claim, ...]:
    """The verified claims this request brings: the page cookie, the header and the
    API's ``trust_token`` field (``token``). Forged, expired or garbled ones are left
    out silently: without proof a guest is simply not trusted."""
    claims = _trust_cookie_claims(request)
    for sent in (request.headers.get(TRUST_HEADER), token):
        claim = _token_claim(sent)
        if claim is not None:
            claims.append(claim)
    return tuple(dict.fromkeys(claims))


def proven_ids(claims, email: str) -> list[int]:
    """The comments among ``claims`` that were posted with ``email``."""
    digest = email_digest(email) if email else None
    return [pk for pk, claimed in claims if claimed == digest]


def remember_trust(request, response, comment) -> str | None:
    """Give this browser the claim for a guest's new comment (in the ``comment_trust``
    cookie, signed, HttpOnly, Lax) and return the API's token for it."""
    claim = _claim_of(comment)
    if claim is None:
        return None
    kept = [old for old in _trust_cookie_claims(request) if old != claim] + [claim]
    per_email: dict[str, int] = {}
    newest_first = []
    for old in reversed(kept):
        per_email[old[1]] = per_email.get(old[1], 0) + 1
        if per_email[old[1]] <= MAX_TRUST_PER_EMAIL:
            newest_first.append(old)
    response.set_signed_cookie(
        TRUST_COOKIE,
        "~".join(f"{pk}:{digest}" for pk, digest in reversed(newest_first[:MAX_TRUST])),
        salt=_TRUST_SALT,
        max_age=TRUST_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return trust_token(comment)
