"""Fixed-window rate limits kept in the cache (Redis when ``REDIS_URL`` is set).

A rate is ``"N/s"``, ``"N/m"`` or ``"N/h"``. Each check counts one hit against every
identity given (client IP, poster's user id or email), and refuses when any of them is
over its limit in the current window.

If the cache is unreachable the limit *fails open*: posting keeps working and the
error is logged. A news site would rather take a few extra comments for a minute than
refuse every reader while Redis restarts; moderation rules and bans still apply.
"""

import ipaddress
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600}


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        super().__init__(
            ngettext(
                "Too many requests; try again in %(seconds)s second.",
                "Too many requests; try again in %(seconds)s seconds.",
                self.retry_after,
            )
            % {"seconds": self.retry_after}
        )


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int

    @classmethod
    def parse(cls, rate: str) -> "Rate":
        count, _slash, unit = rate.partition("/")
        return cls(limit=int(count), period=_PERIODS[unit.strip()[0]])


# --- Who is counted (and banned) ---------------------------------------------------
# Rate limits and bans (comments.moderation.ban_for) must see one person behind the
# many spellings of one address, or a variant walks around them. These helpers are
# the one definition of "the same client" and "the same mailbox" for both.

# One IPv6 end site (a home, a phone) gets a whole /64 and picks addresses in it at
# will, so finer IPv6 identities are no identities at all.
IPV6_CLIENT_PREFIX = 64
_GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def canonical_email(email: str) -> str:
    """The mailbox behind an address, for matching bans and counting rate limits (not
    for sending: the address as given is what gets mail). Lower-case, without a
    ``+tag`` (any domain), and for Gmail without dots and under ``gmail.com``: all the
    spellings one person can receive mail at without a new account."""
    email = (email or "").strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not local or "@" in local:
        return email
    domain = domain.rstrip(".")
    local = local.split("+", 1)[0] or local
    if domain in _GMAIL_DOMAINS:
        domain, local = "gmail.com", local.replace(".", "") or local
    return f"{local}@{domain}"


def _unmapped(address):
    """``::ffff:a.b.c.d`` is the IPv4 client a.b.c.d (dual-stack sockets report it so)."""
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def canonical_ip(value) -> str | None:
    """The client's address as stored and compared: IPv4-mapped IPv6 as plain IPv4;
    None for anything that is not an IP address."""
    try:
        return str(_unmapped(ipaddress.ip_address(str(value or "").strip())))
    except ValueError:
        return None


def canonical_network(value: str, *, widen: bool = True):
    """An address or CIDR network as the network bans and limits compare: IPv4-mapped
    IPv6 networks as IPv4 (``::ffff:192.0.2.0/120`` is ``192.0.2.0/24``) and, with
    ``widen``, IPv6 no finer than a /64. Raises ``ValueError`` for anything else."""
    network = ipaddress.ip_network(str(value).strip(), strict=False)
    if network.version == 6 and network.prefixlen >= 96:
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:
            return ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}", strict=False)
    if widen and network.version == 6 and network.prefixlen > IPV6_CLIENT_PREFIX:
        return network.supernet(new_prefix=IPV6_CLIENT_PREFIX)
    return network


# What one household, office or rented server is taken to hold: guests counted per
# network (flags towards hiding a comment, votes towards an article's rating) count
# once per such network, so rotating addresses within it buys nothing.
IPV4_GUEST_PREFIX = 24
IPV6_GUEST_PREFIX = 64
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def guest_network(value) -> str | None:
    """The network a guest acts from: its /24 (IPv4) or /64 (IPv6). IPv6 addresses
    that carry an IPv4 client (IPv4-mapped ``::ffff:a.b.c.d``, NAT64, 6to4, Teredo)
    count as that IPv4 address: one IPv4 address has whole /48s of 6to4 to pick from.
    A zone index (``fe80::1%eth0``) is ignored. None when ``value`` is no address."""
    try:
        address = ipaddress.ip_address(str(value or "").split("%", 1)[0].strip())
    except ValueError:
        return None
    if address.version == 6:
        teredo = address.teredo
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        elif address.sixtofour is not None:
            address = address.sixtofour
        elif teredo is not None:
            address = teredo[1]
    prefix = IPV4_GUEST_PREFIX if address.version == 4 else IPV6_GUEST_PREFIX
    return str(ipaddress.ip_network((address, prefix), strict=False))


def ip_identity(value) -> str | None:
    """Whom an IP rate limit counts: the IPv4 address, or the IPv6 address's /64."""
    address = canonical_ip(value)
    return str(canonical_network(address)) if address else None


def client_ip(request) -> str | None:
    """The client's address (IPv4-mapped IPv6 as IPv4; None if REMOTE_ADDR holds no
    address). Behind proxies, ``TRUSTED_PROXY_HOPS`` makes the WSGI entry point
    (newsite/proxy.py) put the reader's address in REMOTE_ADDR; gunicorn itself never
    does, and X-Forwarded-For is not trusted here."""
    return canonical_ip(request.META.get("REMOTE_ADDR"))


@dataclass(frozen=True)
class Hits:
    """One action counted (``count``): whether it is over the limit is asked separately
    (``check``), so a caller may refuse it for another reason first."""

    counts: tuple[int, ...]
    limit: int
    retry_after: float
    # The values of the keys asked to be read with the count (None: not there); empty
    # when the cache could not read them in that round trip (then read them yourself).
    read: dict

    def check(self) -> None:
        """Raise ``RateLimited`` when any identity is over the limit."""
        if any(count > self.limit for count in self.counts):
            raise RateLimited(self.retry_after)


def hit(
    scope: str,
    rate: str,
    *identities: str | None,
    ip_address: str | None = None,
    now: float | None = None,
) -> None:
    """Count one action of ``scope`` for the client's IP (its /64 for IPv6) and each
    identity (a voter key, ``u:<id>``, ``e:<canonical email>``…); raise ``RateLimited``
    when any of them has used up ``rate`` in the current window."""
    count(scope, rate, *identities, ip_address=ip_address, now=now).check()


def count(
    scope: str,
    rate: str,
    *identities: str | None,
    ip_address: str | None = None,
    now: float | None = None,
    read: tuple[str, ...] = (),
) -> Hits:
    """``hit`` without the refusal (``Hits.check``), reading the cache keys ``read`` in
    the same round trip: a post counts itself and reads the rules' generation
    (``comments.rules_cache``) in one."""
    ip = ip_identity(ip_address)
    if ip:
        identities = (f"ip:{ip}", *identities)
    parsed = Rate.parse(rate)
    now = time.time() if now is None else now
    window = int(now // parsed.period)
    retry_after = (window + 1) * parsed.period - now
    keys = [f"rl:{scope}:{identity}:{window}" for identity in filter(None, identities)]
    timeout = parsed.period + 1
    counts, values = None, {}
    try:
        if hasattr(cache, "count_hits"):
            answer = cache.count_hits(keys, timeout, read=read)
            if answer is not None:
                counts, values = answer if read else (answer, {})
    except Exception:  # noqa: BLE001 - any cache outage: fail open, loudly
        logger.exception("rate limit cache unavailable; allowing %s", scope)
        counts = ()
    if counts is None:  # no count_hits (local memory), or Redis away
        counts = _count_one_by_one(keys, timeout, scope)
        values = _read(read) if read else {}
    return Hits(counts=tuple(counts), limit=parsed.limit, retry_after=retry_after, read=values)


def _read(keys: tuple[str, ...]) -> dict:
    try:
        found = cache.get_many(keys)
    except Exception:  # noqa: BLE001 - the caller reads them itself
        return {}
    return {key: found.get(key) for key in keys}


def _count_one_by_one(keys: list[str], timeout: int, scope: str) -> list[int]:
    """``hit``'s counting on a cache without ``count_hits`` (local memory), or with Redis
    away (then every count is the window's first: rate limits fail open)."""
    counts = []
    for key in keys:
        try:
            # add() is atomic and does nothing if the key exists; incr() is atomic too.
            cache.add(key, 0, timeout=timeout)
            counts.append(cache.incr(key))
        except ValueError:
            # The key expired between add() and incr(): this is the window's first hit.
            cache.set(key, 1, timeout=timeout)
            counts.append(1)
        except Exception:  # noqa: BLE001 - any cache outage: fail open, loudly
            logger.exception("rate limit cache unavailable; allowing %s", scope)
            return [0]
    return counts
