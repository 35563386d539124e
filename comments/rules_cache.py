"""The bans and blocked words every new comment is checked against, kept by each process.

A guest post used to read both tables (two queries, a tenth of its time) although they
change a few times a day. Each process now keeps what it read, tagged with the
*generation* it read them under: a token in the shared cache that every change to a
ban or a blocked word replaces once it commits (the models' signals, and the admin's
"lift" which updates rows without them). A post then costs one cache read (read in
the round trip that counts its rate limit); when the token moved, the rules are read
again.

The database stays the source:
- the generation is read *before* the rules, so rules read under an old token are
  never trusted under a new one;
- with no shared cache (local memory, one per process: a change in one process would
  never reach another) or with Redis away, every post reads the tables, as before;
- a copy is trusted ``MAX_AGE`` seconds at most, for changes made outside Django
  (SQL by hand, a restore);
- a site with more than ``MAX_BANS`` bans reads the bans that could match each time.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from time import monotonic

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from articles.held import is_shared
from comments.models import Ban, BlockedWord

GENERATION_KEY = "comments:rules:generation"
MAX_AGE = 60.0
MAX_BANS = 2000


@dataclass(frozen=True)
class Rules:
    """What a new comment is checked against, read once per post."""

    # None: read from the tables for this post alone (not kept).
    generation: str | None
    read_at: float
    # Newest first (``Ban.Meta.ordering``), the ones active when read (expiry is checked
    # again at use); None when the bans that could match are to be read per poster (no
    # shared cache, or more than MAX_BANS).
    bans: tuple[Ban, ...] | None
    # None: read where they are checked (``moderation.blocked_words_in``).
    words: tuple[BlockedWord, ...] | None


_kept: dict[str, Rules] = {}


def shared_cache() -> bool:
    """Whether every process of the site reads the same cache (Redis, Memcached)."""
    return is_shared()


def _generation() -> str | None:
    generation = cache.get(GENERATION_KEY)
    if generation is None:  # first use, or evicted: start one (another process may too)
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def keys_to_read() -> tuple[str, ...]:
    """What ``current_rules`` reads from the shared cache, for a caller that asks it
    something anyway to read in the same round trip (a post's rate limit)."""
    return (GENERATION_KEY,) if shared_cache() else ()


def current_rules(read: Mapping | None = None) -> Rules:
    """The rules as of now: this process's copy while the shared generation stands,
    else read afresh and kept under it. Without a shared cache, or with it away,
    nothing is read here: ``moderation`` reads the tables where it checks them, as if
    nothing were kept. ``read``: what the caller read of ``keys_to_read()`` (just now,
    before any query of this check)."""
    generation = None
    if shared_cache():
        generation = (read or {}).get(GENERATION_KEY) or _generation()
    if generation is None:
        return Rules(generation=None, read_at=monotonic(), bans=None, words=None)
    kept = _kept.get("rules")
    if kept is not None and kept.generation == generation and monotonic() - kept.read_at < MAX_AGE:
        return kept
    bans = tuple(Ban.objects.active()[: MAX_BANS + 1])
    rules = Rules(
        generation=generation,
        read_at=monotonic(),
        bans=bans if len(bans) <= MAX_BANS else None,
        words=tuple(BlockedWord.objects.filter(is_active=True)),
    )
    _kept["rules"] = rules
    return rules


def _new_generation() -> None:
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)


def rules_changed() -> None:
    """A ban or a blocked word changed: every process reads them again at its next
    post. The token moves now (this transaction's own later posts see the change) and
    again once the change commits: a process that read the tables in between, before
    the commit, read them under the first new token, not the last."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _changed(sender, **kwargs):
    rules_changed()


def connect() -> None:
    for model in (Ban, BlockedWord):
        for signal in (post_save, post_delete):
            signal.connect(_changed, sender=model, dispatch_uid=f"rules-{model.__name__}")
