"""A guest author's edit tokens, carried on pages in one signed, HttpOnly cookie.

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
