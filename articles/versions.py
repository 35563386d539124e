"""An article's engagement version: what its cached copies (the page, the comments
list, its ETags) are keyed on, how it moves, and a cached record of it for polls.

Every change that readers could see under an article (a comment posted, edited,
moderated or deleted, a like, a vote, an attachment, the article itself) calls
``article_changed``. Once the transaction commits, that moves the article's
``engagement_version`` (and ``engagement_changed_at``) in the database, so every web
process sees the new version with the article row it reads anyway, whatever cache it
uses, and the next page view misses the old key; a transaction that updates the article
row anyway (a comment count) moves it in that UPDATE instead (``article_moved``).
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from time import monotonic

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from articles import after_commit

# Sent with ``article_id`` once an article's version has moved (after the commit): for
# caches the apps above keep of what articles show (embedding's comment counts).
engagement_changed = Signal()


# --- The version -----------------------------------------------------------------------
class _Bump:
    """The on-commit callback for one article (recognisable, to register it once):
    moves its version (unless ``moved``: the transaction's own UPDATE did), then tells
    the caches."""

    __slots__ = ("article_id", "moved")

    def __init__(self, article_id: int, *, moved: bool = False):
        self.article_id = article_id
        self.moved = moved

    def __call__(self):
        from articles.models import Article

        if not self.moved:
            Article.objects.filter(pk=self.article_id).update(**version_moves())
        forget_version(self.article_id)
        engagement_changed.send(sender=Article, article_id=self.article_id)


def _pending_bumps(connection) -> list[tuple]:
    # Django drops the callbacks of a rolled-back savepoint from this list, so an
    # article found here will be bumped if the current transaction commits.
    if not connection.in_atomic_block:
        return []
    return [entry for entry in connection.run_on_commit if isinstance(entry[1], _Bump)]


def article_changed(*article_ids: int | None) -> None:
    """Mark these articles as changed: their version moves once the current transaction
    commits (at once outside a transaction), once per article however often a
    transaction calls this. Nothing moves if the transaction rolls back."""
    connection = transaction.get_connection()
    pending = {entry[1].article_id for entry in _pending_bumps(connection)}
    for article_id in dict.fromkeys(article_ids):
        if article_id is not None and article_id not in pending:
            transaction.on_commit(_Bump(article_id))


def version_moves(*, now=None) -> dict:
    """The fields that move an article's version, for an ``update()`` (at ``now``, by
    default the present)."""
    return {
        "engagement_version": F("engagement_version") + 1,
        "engagement_changed_at": timezone.now() if now is None else now,
    }


def article_moved(article_id: int) -> None:
    """The caller has just moved this article's version in its own transaction, with
    ``version_moves()`` in an UPDATE of the article it runs anyway (a counter): the
    bump ``article_changed`` left for the commit is dropped, so it costs no second
    UPDATE, and the caches still hear of it after the commit.

    Only a bump registered in the same savepoint is dropped: one from an outer
    savepoint must still move the version if this savepoint rolls back (then it moves
    twice, which is harmless)."""
    connection = transaction.get_connection()
    here = set(connection.savepoint_ids) if connection.in_atomic_block else set()
    told = False
    for entry in _pending_bumps(connection):
        sids, bump = set(entry[0]), entry[1]
        if bump.article_id != article_id:
            continue
        if not bump.moved and sids == here:
            connection.run_on_commit.remove(entry)
        elif bump.moved and sids <= here:
            told = True  # an earlier move in this savepoint or an outer one tells them
    if not told:
        transaction.on_commit(_Bump(article_id, moved=True))


def articles_changed(article_ids: Iterable[int]) -> None:
    article_changed(*set(article_ids))


VERSION_FIELDS = ("pk", "engagement_version", "engagement_changed_at")


def version_tag(article) -> str:
    """What the cached copies of this article's engagement are keyed on (an article,
    or its ``VERSION_FIELDS`` as a tuple). The time is part of it so that a version
    number written back by a stale save (or reused by a test database rolled back to
    the same ids) never matches an old entry."""
    if isinstance(article, tuple):
        pk, version, changed = article
    else:
        pk, version, changed = article.pk, article.engagement_version, article.engagement_changed_at
    return f"{pk}.{version}.{changed.timestamp() if changed else 0}"


# --- The version, cached -------------------------------------------------------------------
# A poll of an article's comments that nothing changed (``?after=`` every 15 s from every
# open page) is answered 304 from the cache alone: what its ETag and Last-Modified are
# made of, and that the article is public, are kept by the article's id
# (``VersionRecord``), found from the slug through a pointer kept beside it (an id
# stays the article's for ever, so each process keeps what it read of the pointers).
# The bump drops the record, without a read, so one shared cache (Redis) never serves an
# old version. Entries live ARTICLES_VERSION_CACHE_TIMEOUT seconds: the longest a
# per-process cache (locmem, several workers) can miss another process's bump, or keep
# a fill that raced with a bump, or keep an article that was deleted or unpublished (a
# 304 then; a 200 always reads the article row).
_VERSION_PREFIX = "articles:version:v2"
# Each process also keeps the records it read for a second: a popular article's polls
# then cost no round trip to a shared cache either (about 1 ms per Redis call, most of
# a 304's time), and another process's bump reaches this one within that second.
_LOCAL_SECONDS = 1.0
_LOCAL_MAX = 1000
_local: dict[str, tuple[float, "VersionRecord"]] = {}
# slug -> article id, as read from the pointers: a pointer left by an article renamed
# or deleted since only finds a record with another slug (or none), which is then not
# trusted, so these need no expiry.
_ids: dict[str, int] = {}


@dataclass(frozen=True)
class VersionRecord:
    """What a conditional GET needs of a published article, without reading it."""

    pk: int
    slug: str
    version: int
    changed_at: datetime
    updated_at: datetime
    published_at: datetime

    @property
    def tag(self) -> str:
        return version_tag((self.pk, self.version, self.changed_at))

    @property
    def last_modified(self) -> datetime:
        return max(self.changed_at, self.updated_at)


def _version_key(article_id: int) -> str:
    return f"{_VERSION_PREFIX}:pk:{article_id}"


def _slug_key(slug: str) -> str:
    # Hashed: a long or non-ASCII slug is still a valid key for every backend.
    return f"{_VERSION_PREFIX}:slug:{hashlib.sha256(slug.encode()).hexdigest()[:32]}"


def cached_version(slug: str) -> VersionRecord | None:
    """The cached record of the published article ``slug``, or None (not cached, off,
    the cache is down, or the article is scheduled for later): then read the article."""
    timeout = settings.ARTICLES_VERSION_CACHE_TIMEOUT
    if not timeout:
        return None
    now = monotonic()
    held = _local.get(slug)
    if held is not None and held[0] > now:
        record = held[1]
    else:
        try:
            article_id = _ids.get(slug)
            if article_id is None:
                article_id = cache.get(_slug_key(slug))
                if not isinstance(article_id, int):
                    return None
                _keep_id(slug, article_id)
            value = cache.get(_version_key(article_id))
        except Exception:  # noqa: BLE001 - a cache outage costs a query, not the answer
            return None
        if not isinstance(value, tuple):
            return None
        record = VersionRecord(*value)
        _hold(record, now, timeout)
    if record.slug != slug or record.published_at > timezone.now():
        return None
    return record


def _hold(record: VersionRecord, now: float, timeout: int) -> None:
    if len(_local) >= _LOCAL_MAX:
        _local.clear()  # many articles polled at once: start over rather than grow
    _local[record.slug] = (now + min(_LOCAL_SECONDS, timeout), record)


def _keep_id(slug: str, article_id: int) -> None:
    if len(_ids) >= _LOCAL_MAX:
        _ids.clear()
    _ids[slug] = article_id


def remember_version(article) -> None:
    """Cache the record of ``article``, just read from the database, if it is public."""
    timeout = settings.ARTICLES_VERSION_CACHE_TIMEOUT
    if not timeout or not article.is_public:
        return
    value = (
        article.pk,
        article.slug,
        article.engagement_version,
        article.engagement_changed_at,
        article.updated_at,
        article.published_at,
    )
    _hold(VersionRecord(*value), monotonic(), timeout)
    _keep_id(article.slug, article.pk)
    try:
        cache.set_many(
            {_slug_key(article.slug): article.pk, _version_key(article.pk): value}, timeout
        )
    except Exception:  # noqa: BLE001, S110 - answered already; caching is a bonus
        pass


def forget_version(article_id: int) -> None:
    """Drop the article's cached record (its version moved, or the article changed):
    this process's copy at once, the shared one with the commit's other cache writes
    (``articles.after_commit``)."""
    for slug, (_, record) in list(_local.items()):
        if record.pk == article_id:
            _local.pop(slug, None)
    after_commit.cache_delete_many([_version_key(article_id)])


# --- Signals (connected in ArticlesConfig.ready) ---------------------------------------------
def on_article_saved(sender, instance, **kwargs) -> None:
    """An editor's change in the admin (or anywhere) shows on the next page view."""
    article_changed(instance.pk)
