"""Comment counts for listing pages (``GET /api/v1/counts/``), kept in the shared cache.

An answer is kept under what was asked (the addresses and slugs in their order, and the
scheme and host newsite's own articles' addresses are written with) together with the
site's *engagement generation*, read before the database: a token replaced once any
article's version has moved (a comment posted, moderated or deleted, a vote, an edit of
the article; ``articles.versions.engagement_changed``) or an article was deleted, after
the commit. A repeat costs two cache reads and no query, and a change shows in the
very next answer: a token replaced after the read leaves the kept answer behind, and a
change committed before it is in what the query read.

One token for the whole site is coarse on purpose: it needs no look-up of which pages an
answer holds (an address newsite has not seen yet is in none), and an answer missed
costs one indexed query for up to 50 pages. With a cache of each process's own
(locmem, the embedded default) a change made in another process shows within
``ENTRY_SECONDS``; with Redis at once.

Nothing of the caller is kept: the answer is the same for everyone, and the view reads
no credentials.
"""

import hashlib
import secrets
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

from articles import after_commit

GENERATION_KEY = "embedding:counts:generation"
ENTRY_PREFIX = "embedding:counts:v1"
# What changes with the clock alone (an article scheduled for later becoming public)
# shows within this many seconds.
ENTRY_SECONDS = 300
GENERATION_SECONDS = 24 * 3600


def _new_token() -> str:
    return secrets.token_hex(8)


def generation() -> str | None:
    """The current engagement generation (made when there is none); None when the
    cache does not answer (then nothing is kept)."""
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, _new_token(), GENERATION_SECONDS)
            value = cache.get(GENERATION_KEY)
    except Exception:  # noqa: BLE001 - a cache outage costs a query, not the answer
        return None
    return value


def engagement_moved(**kwargs) -> None:
    """Something counts show has changed (after its commit): every kept answer is old.
    Sent with the commit's other cache writes (``articles.after_commit``; an outage
    is logged there: answers expire by themselves)."""
    after_commit.cache_set(GENERATION_KEY, _new_token(), GENERATION_SECONDS)


def article_deleted(**kwargs) -> None:
    transaction.on_commit(engagement_moved)


def cached_counts(asked: tuple, build: Callable[[], list[dict]]) -> list[dict]:
    """The answer for ``asked`` (everything the answer depends on), from the cache when
    kept at the current generation, else ``build()`` and kept."""
    key = f"{ENTRY_PREFIX}:{hashlib.sha256(repr(asked).encode()).hexdigest()}"
    try:
        held = cache.get_many([key, GENERATION_KEY])
    except Exception:  # noqa: BLE001
        held = {}
    current = held.get(GENERATION_KEY) or generation()
    entry = held.get(key)
    if current is not None and isinstance(entry, tuple) and entry[0] == current:
        return entry[1]
    # ``current`` was read before the query: a change committed from here on replaces
    # it, so what is kept below is never taken for newer than it is.
    results = build()
    if current is not None:
        try:
            cache.set(key, (current, results), ENTRY_SECONDS)
        except Exception:  # noqa: BLE001, S110 - answered already; keeping it is a bonus
            pass
    return results
