"""The cache writes a commit causes, sent to the cache together.

A published comment, once committed, drops the article's cached version record
(``articles.versions``), replaces the comment counts' generation (``embedding.counts``)
and marks an email delivery as queued (``comments.outbox``): three writes to keys of
three apps, each a round trip to Redis of its own (a wake-up of Redis and two of the
web process, ~0.15 ms of a post's ~5 ms of CPU apiece) although none waits for another.

The database backends (``newsite.postgresql``, ``newsite.sqlite3``) run a commit's
on-commit callbacks inside ``batch()``. The writes made there through this module's
functions are kept, and sent once every callback has run: in one round trip (a
pipeline) with Redis (``newsite.cache.FailSoftRedisCache.write_many``), one by one with
any other cache. A write made outside a commit (no transaction, a test calling the
callback itself) goes out at once. Writes made anywhere else through Django's cache
API are never held back: a callback that reads what it wrote (a task run in-process)
reads it as before.

Only blind writes come here: a write whose answer matters (``cache_add``) passes it to
``then``, called after the flush.
"""

import logging
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)


class _Pending(threading.local):
    def __init__(self):
        # None: no batch open in this thread; else the writes kept, in order.
        self.writes: list[tuple[tuple, Callable[[Any], None] | None]] | None = None


_pending = _Pending()


@contextmanager
def batch():
    """Keep the writes made through this module inside the block, and send them together
    when it ends (even if it raises: what the committed transaction changed must still
    reach the cache). A block inside another joins it."""
    if _pending.writes is not None:
        yield
        return
    _pending.writes = []
    try:
        yield
    finally:
        writes, _pending.writes = _pending.writes, None
        if writes:
            _flush(writes)


def cache_set(key: str, value, timeout: int | None) -> None:
    _write(("set", key, value, timeout))


def cache_delete_many(keys: Iterable[str]) -> None:
    _write(("delete_many", list(keys)))


def cache_add(key: str, value, timeout: int | None, *, then: Callable[[bool], None]) -> None:
    """``cache.add``, whose answer (whether the key was free and is now this value) is
    passed to ``then`` once sent."""
    _write(("add", key, value, timeout), then)


def _write(op: tuple, then: Callable[[Any], None] | None = None) -> None:
    if _pending.writes is None:
        _flush([(op, then)])
    else:
        _pending.writes.append((op, then))


_FAILED = {"set": None, "add": False, "delete_many": None}


def _flush(writes: list) -> None:
    ops = [op for op, _then in writes]
    try:
        if hasattr(cache, "write_many"):
            results = cache.write_many(ops)
        else:
            results = [getattr(cache, op[0])(*op[1:]) for op in ops]
    except Exception:  # noqa: BLE001 - a cache outage costs copies, never the request
        logger.exception("cache writes after a commit failed")
        results = [_FAILED[op[0]] for op in ops]
    for (_op, then), result in zip(writes, results, strict=True):
        if then is not None:
            then(result)
