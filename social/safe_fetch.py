"""Fetching a URL that staff typed without letting it reach inside our network (SSRF).

An editor chooses the feed URL, but the fetch runs on our servers: left alone it could
read the cloud metadata service, an admin port on localhost or a host on the private
network, and publish what it found. So every hop (the URL and each redirect, followed
here by hand) is checked: http(s) only, allowed ports only (``SOCIAL_FEED_PORTS``), and
every address the host name resolves to public. The connection then goes to the address
that was checked — no second DNS lookup that a rebinding name could answer differently —
and the peer is checked again once connected.

``SOCIAL_FEED_ALLOW_PRIVATE`` opens loopback and private networks for tests and local
development only; cloud metadata, multicast and unspecified addresses stay refused.

Webhook deliveries (``url_post``) go through the same checks with their own setting
(``allow_private``, ``ports``: the caller's; the feed's settings when not given).
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}

# Most of these sit in ranges refused anyway (link-local, unique-local, shared address
# space), but Azure's wire server is a public address, and naming them keeps them refused
# when SOCIAL_FEED_ALLOW_PRIVATE opens the private ranges.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure wire server
        "192.0.0.192",  # Oracle Cloud
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchRefused(Exception):
    """The URL, a redirect or an address it leads to is not one we fetch."""


class HTTPStatusError(Exception):
    """The server answered with an error (or an unfollowed 3xx) status."""

    def __init__(self, status: int, reason: str):
        super().__init__(f"HTTP {status} {reason}".strip())
        self.status = status


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # ASCII (IDNA), without IPv6 brackets
    port: int
    path: str  # what goes on the request line: path and query


def _embedded_ipv4(ip: Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses inside an IPv6 one (mapped, 6to4, NAT64): a packet sent to the
    IPv6 address can reach the IPv4 host it embeds. Python 3.11 does not look inside."""
    if ip.version != 6:
        return []
    found = [ip.ipv4_mapped, ip.sixtofour]
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [x for x in found if x is not None]


def _public(ip: Address) -> bool:
    # is_global alone lets multicast (and, before Python 3.12.4, some special ranges) by.
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (ip.version == 6 and ip.is_site_local)
    )


def address_allowed(address: str, *, allow_private: bool | None = None) -> bool:
    """Whether we may connect to this IP address (a string as sockets give it)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    candidates = [ip, *_embedded_ipv4(ip)]
    if any(x in METADATA_ADDRESSES or x.is_multicast or x.is_unspecified for x in candidates):
        return False
    if allow_private is None:
        allow_private = settings.SOCIAL_FEED_ALLOW_PRIVATE
    return allow_private or all(_public(x) for x in candidates)


def url_target(url: str, *, ports: frozenset[int] | None = None) -> Target:
    """Split a URL into what we connect to, refusing other schemes and ports."""
    try:
        parts = urlsplit(url or "")
        scheme = parts.scheme.lower()
        port = parts.port  # ValueError when not a number in 0-65535
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise FetchRefused("not a valid URL") from None
    if scheme not in DEFAULT_PORTS:
        raise FetchRefused("only http and https URLs are fetched")
    if not host:
        raise FetchRefused("the URL has no host")
    port = DEFAULT_PORTS[scheme] if port is None else port
    allowed = settings.SOCIAL_FEED_PORTS if ports is None else ports
    if port not in allowed:
        ports = ", ".join(str(p) for p in sorted(allowed))
        raise FetchRefused(f"only ports {ports} are fetched, not {port}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=scheme, host=host, port=port, path=path)


def url_problem(url: str) -> str | None:
    """Why ``url`` would be refused, judged without DNS (for forms): its scheme, port,
    or a host that is a private address or a name for this machine. None when fine."""
    try:
        host = url_target(url).host.rstrip(".")
    except FetchRefused as exc:
        return str(exc)
    private = "this address is on a private or reserved network"
    if host == "localhost" or host.endswith(".localhost"):
        return None if settings.SOCIAL_FEED_ALLOW_PRIVATE else private
    try:  # a numeric host in any form the resolver accepts ("127.1", "2130706433")
        infos = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError):
        return None  # a name: resolved and checked when fetched
    return None if all(address_allowed(info[4][0]) for info in infos) else private


def _resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (a seam for tests: no real DNS there)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _vetted_address(target: Target, allow_private: bool | None = None) -> str:
    """One address to connect to, when all of the host's addresses are allowed (a name
    with one private address among public ones is refused: we must not pick it later)."""
    try:
        addresses = _resolve(target.host, target.port)
    except (OSError, UnicodeError) as exc:
        raise FetchRefused(f"cannot resolve {target.host}: {exc}") from None
    refused = [a for a in addresses if not address_allowed(a, allow_private=allow_private)]
    if refused or not addresses:
        raise FetchRefused(f"{target.host} resolves to a refused address: {refused}")
    return addresses[0]


def open_socket(
    address: str, port: int, timeout: float, allow_private: bool | None = None
) -> socket.socket:
    """Connect to an already vetted address and check whom we reached."""
    sock = socket.create_connection((address, port), timeout=timeout)
    try:
        peer = sock.getpeername()[0]
        same = ipaddress.ip_address(peer.split("%", 1)[0]) == ipaddress.ip_address(address)
        if not (same and address_allowed(peer, allow_private=allow_private)):
            raise FetchRefused(f"connected to a refused address: {peer}")
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Speaks to ``host`` (its Host header) at ``address``, the one that was vetted."""

    def __init__(self, host, port, *, address, timeout, allow_private=None):
        super().__init__(host, port, timeout=timeout)
        self.address = address
        self.allow_private = allow_private

    def connect(self):
        self.sock = _open(self)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with TLS checked against ``host`` (certificate and SNI)."""

    def __init__(self, host, port, *, address, timeout, allow_private=None):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address
        self.allow_private = allow_private

    def connect(self):
        sock = _open(self)
        try:
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _open(connection) -> socket.socket:
    # The private-networks choice is passed only when a caller made one (tests replace
    # open_socket with the three-argument form).
    extra = () if connection.allow_private is None else (connection.allow_private,)
    return open_socket(connection.address, connection.port, connection.timeout, *extra)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the download took too long")
    return left


def _get(
    url: str,
    headers: dict[str, str],
    deadline: float,
    *,
    method: str = "GET",
    body: bytes | None = None,
    allow_private: bool | None = None,
    ports: frozenset[int] | None = None,
):
    """One request to one hop: its connection and response."""
    target = url_target(url, ports=ports)
    address = _vetted_address(target, allow_private)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(
        target.host,
        target.port,
        address=address,
        timeout=_remaining(deadline),
        allow_private=allow_private,
    )
    try:
        connection.request(method, target.path, body=body, headers=headers)
        return connection, connection.getresponse()
    except BaseException:
        connection.close()
        raise


@contextlib.contextmanager
def url_open(url: str, *, headers: dict[str, str], deadline: float) -> Iterator:
    """GET ``url``, following up to MAX_REDIRECTS redirects, each hop checked as the
    first. Yields the final response (2xx); raises FetchRefused, HTTPStatusError,
    TimeoutError, OSError or http.client.HTTPException."""
    for _hop in range(MAX_REDIRECTS + 1):
        connection, response = _get(url, headers, deadline)
        try:
            location = response.getheader("Location")
            if response.status in REDIRECTS and location:
                url = urljoin(url, location.strip())
                continue
            if response.status >= 300:
                raise HTTPStatusError(response.status, response.reason)
            yield response
            return
        finally:
            connection.close()
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")


@contextlib.contextmanager
def url_post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    deadline: float,
    allow_private: bool,
    ports: frozenset[int],
) -> Iterator:
    """POST ``body`` to ``url`` under the same checks as a GET, redirects not followed
    (a webhook endpoint answers itself). Yields the response, whatever its status."""
    connection, response = _get(
        url,
        headers,
        deadline,
        method="POST",
        body=body,
        allow_private=allow_private,
        ports=ports,
    )
    try:
        yield response
    finally:
        connection.close()
