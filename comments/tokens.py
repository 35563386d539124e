"""A guest author's edit token, carried on pages in a signed, HttpOnly cookie.

The API hands the token out once (``edit_token``) and takes it back in the
``X-Comment-Token`` header; pages cannot ask a guest to paste a secret, so the create
response (page form or API) also stores it in a per-comment cookie that lives as long
as the edit window.
"""

from django.conf import settings

_SALT = "comments.edit"


def _cookie_name(comment_id: int) -> str:
    return f"comment_edit_{comment_id}"


def remember_edit_token(response, comment, token: str | None) -> None:
    if not token:
        return
    response.set_signed_cookie(
        _cookie_name(comment.pk),
        token,
        salt=_SALT,
        max_age=settings.COMMENTS_EDIT_WINDOW,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def edit_token_from_request(request, comment_id: int) -> str | None:
    """The token from the ``X-Comment-Token`` header, else from the page cookie."""
    header = request.headers.get("X-Comment-Token")
    if header:
        return header.strip()
    return request.get_signed_cookie(_cookie_name(comment_id), default=None, salt=_SALT)


def forget_edit_token(response, comment_id: int) -> None:
    response.delete_cookie(_cookie_name(comment_id))
