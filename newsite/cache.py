"""A Redis cache that shrugs off an unreachable Redis.

The cache only ever holds copies (rendered boxes, counters for rate limits), so while
Redis is away every read is a miss and every write is dropped: pages are built from the
database and posting keeps working. ``incr`` raises ``ValueError``, as for a key that is
not there, which every caller already handles: ``articles.ratelimit`` then counts the
hit as the window's first, so rate limits *fail open* while Redis is down.

A circuit breaker keeps a dead Redis from costing a timeout on every call: after a
failure the cache answers as empty without touching the network for ``down_seconds``
(``OPTIONS``; default ``DOWN_SECONDS``), then lets one call through to try Redis again
while the others still answer as empty. The breaker is shared by every thread of the
process (Django gives each thread a cache object of its own).

Clearing it also forgets the copies processes hold of it (``articles.held``).
"""

import logging
import operator
import threading
from time import monotonic

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DOWN_SECONDS = 5.0


def _nothing(answer) -> None:
    return None


class Breaker:
    """Whether to ask Redis now. A plain monotonic deadline, read without a lock on
    the hot path; the lock only picks the one caller that tries again."""

    def __init__(self, down_seconds: float):
        self.down_seconds = down_seconds
        self._down_until = 0.0
        self._lock = threading.Lock()

    def allows(self) -> bool:
        if not self._down_until:
            return True
        with self._lock:
            now = monotonic()
            if now < self._down_until:
                return False
            # This call tries Redis; until it answers, the others keep skipping it.
            self._down_until = now + self.down_seconds
            return True

    def succeeded(self) -> None:
        if self._down_until:
            self._down_until = 0.0

    def failed(self) -> None:
        self._down_until = monotonic() + self.down_seconds


_breakers: dict[tuple[str, float], Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str, down_seconds: float) -> Breaker:
    """The one breaker of the process for the Redis at ``location``."""
    with _breakers_lock:
        return _breakers.setdefault((location, down_seconds), Breaker(down_seconds))


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` for every call (~1 ms of parsing
    options); this one keeps one per connection pool. A ``redis.Redis`` on a pool is
    thread-safe (each command borrows a connection from the pool), so sharing it is
    safe even if the cache object were shared between threads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        down_seconds = float(options.pop("down_seconds", DOWN_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusingRedisCacheClient
        self._breaker = breaker_for(str(server), down_seconds)

    def _call(self, method: str, default, *args, **kwargs):
        if not self._breaker.allows():
            return default
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except RedisError as exc:
            self._mark_down(method, exc)
            return default
        self._breaker.succeeded()
        return result

    def _mark_down(self, method: str, exc: Exception) -> None:
        self._breaker.failed()
        logger.warning(
            "cache unavailable (%s): %s; treating it as empty for %ss",
            method,
            exc,
            self._breaker.down_seconds,
        )

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", [], data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        from articles.held import forget_held

        forget_held()  # what this process kept of the cache goes with it
        return self._call("clear", None)

    def count_hits(
        self, keys, timeout: int, *, read=()
    ) -> list[int] | tuple[list[int], dict] | None:
        """Add one to each counter in ``keys`` (made at 0 with ``timeout`` seconds to live
        when new) and return the new counts, in one round trip: what ``add`` then
        ``incr`` do for each key, three commands apiece. None while Redis is away, so a
        rate limit fails open as with ``incr``.

        ``read``: keys whose values to read in the same round trip; then the answer is
        ``(counts, {key: value})`` (None values for keys not there)."""
        if not self._breaker.allows():
            return None
        pipe = self._cache.get_client(write=True).pipeline(transaction=False)
        for key in keys:
            made = self.make_and_validate_key(key)
            pipe.set(made, 0, ex=timeout, nx=True)
            pipe.incr(made)
        for key in read:
            pipe.get(self.make_and_validate_key(key))
        answers = self._execute(pipe, "count_hits")
        if answers is None:
            return None
        counts = answers[1 : 2 * len(keys) : 2]
        if not read:
            return counts
        loads = self._cache._serializer.loads
        values = answers[2 * len(keys) :]
        return counts, {
            key: None if value is None else loads(value)
            for key, value in zip(read, values, strict=True)
        }

    def write_many(self, ops: list[tuple]) -> list:
        """Send ``set``, ``add`` and ``delete_many`` writes in one round trip (a pipeline):
        ``("set", key, value, timeout)``, ``("add", key, value, timeout)``,
        ``("delete_many", keys)``. Returns what each would have returned on its own;
        while Redis is away, what they return then (nothing written)."""
        results = [False if op[0] == "add" else None for op in ops]  # as when Redis is away
        if not self._breaker.allows():
            return results
        dumps = self._cache._serializer.dumps
        pipe = self._cache.get_client(write=True).pipeline(transaction=False)
        sent = []  # (the op's index, how its answer reads) for each command sent
        for index, (name, *args) in enumerate(ops):
            if name == "delete_many":
                if args[0]:
                    pipe.delete(*(self.make_and_validate_key(key) for key in args[0]))
                    sent.append((index, _nothing))
                continue
            if name not in ("set", "add"):
                raise ValueError(f"write_many cannot {name!r}")
            key, value, timeout = args
            key, timeout = self.make_and_validate_key(key), self.get_backend_timeout(timeout)
            if timeout == 0:  # Django's meaning: gone at once (an add only says if it was free)
                if name == "set":
                    pipe.delete(key)
                    sent.append((index, _nothing))
                else:
                    pipe.exists(key)
                    sent.append((index, operator.not_))
                continue
            pipe.set(key, dumps(value), ex=timeout, nx=name == "add")
            sent.append((index, bool if name == "add" else _nothing))
        if not sent:
            return results
        answers = self._execute(pipe, "write_many")
        if answers is None:
            return results
        for (index, reads), answer in zip(sent, answers, strict=True):
            results[index] = reads(answer)
        return results

    def _execute(self, pipe, method: str) -> list | None:
        """Send a pipeline: its answers, or None when Redis did not answer."""
        try:
            answers = pipe.execute()
        except RedisError as exc:
            self._mark_down(method, exc)
            return None
        self._breaker.succeeded()
        return answers

    def incr(self, key, delta=1, version=None):
        """A counter cannot be faked: while Redis is away this raises ``ValueError``
        ("no such key"), so callers fall back as they do for an expired key."""
        if not self._breaker.allows():
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        try:
            value = super().incr(key, delta, version)
        except RedisError as exc:
            self._mark_down("incr", exc)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from exc
        except ValueError:  # Redis answered: there is no such key
            self._breaker.succeeded()
            raise
        self._breaker.succeeded()
        return value
