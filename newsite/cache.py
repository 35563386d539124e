"""A Redis cache that shrugs off an unreachable Redis.

The cache only ever holds copies (rendered boxes, counters for rate limits), so while
Redis is away every read is a miss and every write is dropped: pages are built from the
database and posting keeps working. ``incr`` raises ``ValueError``, as for a key that is
not there, which every caller already handles: ``articles.ratelimit`` then counts the
hit as the window's first, so rate limits *fail open* while Redis is down.

After a failure the cache is treated as down for ``DOWN_SECONDS`` without trying Redis
again, so a dead or unreachable Redis costs one short timeout now and then, not one
per cache call.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DOWN_SECONDS = 5.0


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    def _call(self, method: str, default, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            return getattr(super(), method)(*args, **kwargs)
        except RedisError as exc:
            self._mark_down(method, exc)
            return default

    def _mark_down(self, method: str, exc: Exception) -> None:
        self._down_until = time.monotonic() + DOWN_SECONDS
        logger.warning("cache unavailable (%s): %s; treating it as empty", method, exc)

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
        return self._call("clear", None)

    def incr(self, key, delta=1, version=None):
        """A counter cannot be faked: while Redis is away this raises ``ValueError``
        ("no such key"), so callers fall back as they do for an expired key."""
        if time.monotonic() < self._down_until:
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        try:
            return super().incr(key, delta, version)
        except RedisError as exc:
            self._mark_down("incr", exc)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from exc
