"""Fixed-window rate limits kept in the cache (Redis when ``REDIS_URL`` is set).

A rate is ``"N/s"``, ``"N/m"`` or ``"N/h"``. Each check counts one hit against every
identity given (client IP, poster's user id or email), and refuses when any of them is
over its limit in the current window.

If the cache is unreachable the limit *fails open*: posting keeps working and the
error is logged. A news site would rather take a few extra comments for a minute than
refuse every reader while Redis restarts; moderation rules and bans still apply.
"""

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600}


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"Too many requests; try again in {self.retry_after} seconds.")


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int

    @classmethod
    def parse(cls, rate: str) -> "Rate":
        count, _, unit = rate.partition("/")
        return cls(limit=int(count), period=_PERIODS[unit.strip()[0]])


def client_ip(request) -> str | None:
    """The client's address. Behind proxies, ``TRUSTED_PROXY_HOPS`` makes the WSGI entry
    point (newsite/proxy.py) put the reader's address in REMOTE_ADDR; gunicorn itself
    never does, and X-Forwarded-For is not trusted here."""
    return request.META.get("REMOTE_ADDR") or None


def hit(
    scope: str,
    rate: str,
    *identities: str | None,
    ip_address: str | None = None,
    now: float | None = None,
) -> None:
    """Count one action of ``scope`` for the client's IP and each identity (a voter key,
    ``u:<id>``, ``e:<email>``…); raise ``RateLimited`` when any of them has used up
    ``rate`` in the current window."""
    if ip_address:
        identities = (f"ip:{ip_address}", *identities)
    parsed = Rate.parse(rate)
    now = time.time() if now is None else now
    window = int(now // parsed.period)
    retry_after = (window + 1) * parsed.period - now
    for identity in filter(None, identities):
        key = f"rl:{scope}:{identity}:{window}"
        try:
            # add() is atomic and does nothing if the key exists; incr() is atomic too.
            cache.add(key, 0, timeout=parsed.period + 1)
            count = cache.incr(key)
        except ValueError:
            # The key expired between add() and incr(): this is the window's first hit.
            cache.set(key, 1, timeout=parsed.period + 1)
            count = 1
        except Exception:  # noqa: BLE001 - any cache outage: fail open, loudly
            logger.exception("rate limit cache unavailable; allowing %s", scope)
            return
        if count > parsed.limit:
            raise RateLimited(retry_after)
