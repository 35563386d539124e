"""Reading RSS/Atom feeds into posts."""

import calendar
import hashlib
import http.client
import io
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import feedparser
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from social.box import box_invalidate
from social.models import SocialPost, SocialSource
from social.safe_fetch import FetchRefused, HTTPStatusError, url_open
from social.text import html_to_text

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = {"http", "https"}
_TEXT_MAX = SocialPost._meta.get_field("text").max_length
_URL_MAX = SocialPost._meta.get_field("url").max_length
_GUID_MAX = SocialPost._meta.get_field("guid").max_length
_STATUS_MAX = SocialSource._meta.get_field("last_status").max_length
_CHUNK = 64 * 1024
# All that last_status says about a failed connection or a refused address.
FETCH_FAILED = "could not fetch the feed"


class FeedError(Exception):
    """The feed could not be read: the message is recorded on the source."""


@dataclass(frozen=True)
class FetchResult:
    source: SocialSource
    created: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return False
    return parts.scheme.lower() in ALLOWED_SCHEMES and bool(parts.netloc)


def feed_download(url: str) -> tuple[bytes, dict[str, str]]:
    """Download a feed: http(s) only, from public addresses only (every redirect hop
    checked, see social/safe_fetch.py), ``SOCIAL_FETCH_TIMEOUT`` seconds for the whole
    download (not just each socket read) and at most ``SOCIAL_FETCH_MAX_BYTES``.
    Returns the body and the response headers; raises FeedError, FetchRefused,
    HTTPStatusError, OSError (timeouts, refused connections) or http.client.HTTPException."""
    if not is_http_url(url):
        raise FeedError("only http and https feed URLs are fetched")
    timeout = settings.SOCIAL_FETCH_TIMEOUT
    limit = settings.SOCIAL_FETCH_MAX_BYTES
    deadline = time.monotonic() + timeout
    headers = {
        "User-Agent": f"{settings.SITE_NAME} social box (+{settings.SITE_URL})",
        "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5",
    }
    with url_open(url, headers=headers, deadline=deadline) as response:
        length = response.getheader("Content-Length", "")
        if length.isdigit() and int(length) > limit:
            raise FeedError(f"feed too big: {length} bytes (limit {limit})")
        body = bytearray()
        while len(body) <= limit:
            if time.monotonic() > deadline:
                raise TimeoutError(f"download took longer than {timeout} s")
            chunk = response.read(min(_CHUNK, limit + 1 - len(body)))
            if not chunk:
                break
            body += chunk
        if len(body) > limit:
            raise FeedError(f"feed too big: more than {limit} bytes")
        return bytes(body), {k.lower(): v for k, v in response.getheaders()}


def _entry_text(entry) -> str:
    html = entry.get("summary") or ""
    if not html and entry.get("content"):
        html = entry["content"][0].get("value", "")
    return html_to_text(html or entry.get("title", ""), max_length=_TEXT_MAX)


def _entry_published_at(entry, now: datetime) -> datetime:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return now
    # feedparser gives UTC struct_times. A post dated in the future would sit on top.
    return min(datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC), now)


def _entry_guid(entry, text: str) -> str:
    guid = (entry.get("id") or entry.get("link") or "").strip()
    if not guid:
        guid = "sha256:" + hashlib.sha256(f"{entry.get('title', '')}\n{text}".encode()).hexdigest()
    if len(guid) > _GUID_MAX:
        guid = "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
    return guid


def feed_parse(data: bytes, *, headers: dict[str, str] | None = None) -> list[dict]:
    """Turn a downloaded feed into post fields (``text, url, published_at, guid``).

    Raises FeedError when the bytes are not a feed. Entries with no text are skipped.
    """
    # A stream, never bytes: feedparser tries to open() a bytes argument as a file name.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers or {})
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "no feed found"
        raise FeedError(f"not an RSS/Atom feed: {reason}"[:_STATUS_MAX])
    now = timezone.now()
    posts = []
    for entry in parsed.entries:
        text = _entry_text(entry)
        if not text:
            continue
        link = (entry.get("link") or "").strip()
        posts.append(
            {
                "text": text,
                "url": link if is_http_url(link) and len(link) <= _URL_MAX else "",
                "published_at": _entry_published_at(entry, now),
                "guid": _entry_guid(entry, text),
            }
        )
    return posts


@transaction.atomic
def _posts_store(*, source: SocialSource, posts: list[dict]) -> int:
    by_guid = {post["guid"]: post for post in posts}  # a feed may repeat an entry
    known = set(
        SocialPost.objects.filter(source=source, guid__in=by_guid).values_list("guid", flat=True)
    )
    new = [SocialPost(source=source, **post) for guid, post in by_guid.items() if guid not in known]
    # The unique (source, guid) constraint decides: a concurrent fetch that inserted
    # the same entries first makes these inserts no-ops.
    SocialPost.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        box_invalidate()  # bulk_create sends no post_save
    return len(new)


def _record(source: SocialSource, *, error: str = "") -> None:
    now = timezone.now()
    if error:
        fields = {
            "last_status": error[:_STATUS_MAX],
            "consecutive_failures": F("consecutive_failures") + 1,
        }
    else:
        fields = {"last_status": "ok", "consecutive_failures": 0}
    # update(), not save(): leaves alone whatever an editor changed meanwhile.
    SocialSource.objects.filter(pk=source.pk).update(last_fetched_at=now, **fields)
    source.refresh_from_db(fields=["last_fetched_at", "last_status", "consecutive_failures"])


def social_fetch(*, source: SocialSource) -> FetchResult:
    """Read ``source``'s feed and add the entries not seen before.

    Never raises for a bad feed: HTTP errors, timeouts, oversized or malformed feeds
    are logged and recorded on the source (``last_status``, ``consecutive_failures``).
    What is recorded (and shown to editors) for a failed connection or a refused address
    is always FETCH_FAILED: telling refused from timed out, or a closed port from a
    private address, would let an editor map our network. The log has the details.
    """
    if source.kind != SocialSource.Kind.FEED:
        return FetchResult(source=source, error="not a feed source")
    try:
        data, headers = feed_download(source.feed_url)
        created = _posts_store(source=source, posts=feed_parse(data, headers=headers))
    except FeedError as exc:  # about the URL typed or the bytes received: safe to show
        error = str(exc)
        logger.warning("social feed %s (%s) failed: %s", source.pk, source.feed_url, error)
    except HTTPStatusError as exc:  # a public server on an allowed port answered
        error = f"{FETCH_FAILED}: {exc}"
        logger.warning("social feed %s (%s) failed: %s", source.pk, source.feed_url, error)
    except (FetchRefused, OSError, http.client.HTTPException, ValueError) as exc:
        error = FETCH_FAILED
        logger.warning("social feed %s (%s) failed: %r", source.pk, source.feed_url, exc)
    except Exception:  # noqa: BLE001 - one bad feed must not stop the others
        error = FETCH_FAILED
        logger.exception("social feed %s (%s) failed", source.pk, source.feed_url)
    else:
        _record(source)
        logger.info("social feed %s: %d new posts", source.pk, created)
        return FetchResult(source=source, created=created)
    _record(source, error=error)
    return FetchResult(source=source, error=error)


def social_fetch_all() -> list[FetchResult]:
    """Fetch every active feed source, one after the other."""
    sources = SocialSource.objects.filter(kind=SocialSource.Kind.FEED, is_active=True)
    return [social_fetch(source=source) for source in sources]
