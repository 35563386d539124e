"""The rate limits of what readers send about comments (posts, uploads, place look-ups):
whom each counts, the client's address and the poster, on ``articles.ratelimit``."""

from django.conf import settings

from articles import ratelimit
from articles.voters import user_voter_key


def poster_identity(*, user=None, email: str = "") -> str | None:
    """Whom a rate limit counts: the account, else the guest's mailbox (its canonical
    address: ``a+1@`` and ``A@`` count as ``a@``, as for bans)."""
    if user is not None and user.is_authenticated:
        return user_voter_key(user)
    email = ratelimit.canonical_email(email)
    return f"e:{email}" if email else None


def rate_limit(
    scope: str, rate: str, *, ip_address=None, user=None, email: str = "", voter=None
) -> None:
    """Count one ``scope`` action against the client's IP and the poster; raise
    ``RateLimited`` (HTTP 429) when either is over ``rate``."""
    rate_count(scope, rate, ip_address=ip_address, user=user, email=email, voter=voter).check()


def rate_count(
    scope: str, rate: str, *, ip_address=None, user=None, email: str = "", voter=None, read=()
) -> ratelimit.Hits:
    """``rate_limit`` without the refusal (``.check()`` it), reading the cache keys
    ``read`` in the same round trip (``articles.ratelimit.count``)."""
    return ratelimit.count(
        scope,
        rate,
        poster_identity(user=user, email=email) or voter,
        ip_address=ip_address,
        read=read,
    )


def upload_rate_limit(*, ip_address, user, voter) -> None:
    """Count one file upload (the API's attachment endpoint, the page's edit form)."""
    rate_limit("upload", settings.UPLOADS_RATE_LIMIT, ip_address=ip_address, user=user, voter=voter)
