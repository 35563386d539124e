"""Which origins may embed newsite, read from ``EmbedSite`` and kept in the cache, and
how origins and page addresses are written (one normal form, so a page is one record).

The CORS answer (django-cors-headers' ``check_request_enabled`` signal) and the
cross-site guard on unsafe API requests (``newsite.middleware``) both ask
``is_allowed``: one list, read from the database at most once a minute per process.
"""

from urllib.parse import urlsplit, urlunsplit

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

CACHE_KEY = "embedding:origins:v1"
CACHE_SECONDS = 60
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _split(value: str):
    if not isinstance(value, str) or len(value) > 500 or not value.isprintable():
        raise ValueError("not an address")
    parts = urlsplit(value.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError("not an http(s) address")
    if parts.username or parts.password:
        raise ValueError("addresses with credentials are refused")
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port  # raises ValueError for a bad port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return scheme, netloc, parts


def normalise_origin(value: str) -> str:
    """``HTTPS://News.Example.org:443/anything`` -> ``https://news.example.org``.
    ValueError for anything that is not an http(s) address."""
    scheme, netloc, parts = _split(value)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("an origin has no path, query or fragment")
    return f"{scheme}://{netloc}"


def normalise_page_url(value: str) -> str:
    """A page's address as its record keeps it: scheme and host lower-cased, default
    port dropped, no fragment, ``/`` for an empty path; the query stays (some sites
    number their stories with it). ValueError for a non-http(s) address."""
    scheme, netloc, parts = _split(value)
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def origin_of(url: str) -> str:
    """The origin of a normalised page address."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def active_sites() -> dict[str, dict]:
    """``{origin: {"id", "moderation"}}`` of the active embed sites, from the cache."""
    sites = cache.get(CACHE_KEY)
    if sites is None:
        from embedding.models import EmbedSite

        sites = {
            origin: {"id": pk, "moderation": moderation}
            for origin, pk, moderation in EmbedSite.objects.filter(active=True).values_list(
                "origin", "pk", "moderation"
            )
        }
        cache.set(CACHE_KEY, sites, CACHE_SECONDS)
    return sites


def is_allowed(origin: str | None) -> bool:
    """Whether ``origin`` (as a browser sends it in ``Origin``) is an active embed site."""
    if not origin or origin == "null":
        return False
    try:
        return normalise_origin(origin) in active_sites()
    except ValueError:
        return False


def forget(**kwargs) -> None:
    """A site was added, changed or removed: the next request reads the list again."""
    cache.delete(CACHE_KEY)


def cors_allow(sender, request, **kwargs) -> bool:
    """django-cors-headers asks this for every request (a true answer also switches
    CORS on for paths outside ``CORS_URLS_REGEX``): embed sites get it for /api/ only."""
    if not request.path_info.startswith("/api/"):
        return False
    return is_allowed(request.headers.get("Origin"))


def connect() -> None:
    from corsheaders.signals import check_request_enabled

    from embedding.models import EmbedSite

    post_save.connect(forget, sender=EmbedSite, dispatch_uid="embedding.origins.saved")
    post_delete.connect(forget, sender=EmbedSite, dispatch_uid="embedding.origins.deleted")
    check_request_enabled.connect(cors_allow, dispatch_uid="embedding.origins.cors")
