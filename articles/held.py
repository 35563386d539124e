"""What this process keeps of the shared cache: ``HeldBriefly`` holds what nearly every
request reads from it and almost nothing changes (the webhook endpoints, the spam
model's version). Clearing the cache (``newsite.cache``) forgets every held copy."""

import weakref
from collections.abc import Callable
from time import monotonic
from typing import Any

from django.conf import settings


def is_shared() -> bool:
    """Whether every process of the site reads the same cache (Redis, Memcached)."""
    backend = settings.CACHES["default"]["BACKEND"].lower()
    return "redis" in backend or "memcached" in backend  # not "locmem...LocMemCache"


_MISSING = object()
_held: "weakref.WeakSet[HeldBriefly]" = weakref.WeakSet()


class HeldBriefly:
    """A value read through the shared cache that this process reads again at most
    every ``seconds``: for what every guest post asks and an editor changes a few
    times a year (a Redis round trip each, ~1.5 % of a post's CPU). A change made in
    this process is seen at once (``forget``, which its writers call); one made in
    another process within ``seconds``. Without a shared cache (local memory: a read
    costs no round trip) every call reads."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._value: Any = _MISSING
        self._until = 0.0
        # Moves on every ``forget``: a value read while another thread forgot is not
        # kept (it may be from before the change).
        self._forgotten = 0
        _held.add(self)

    def get(self, read: Callable[[], Any]) -> Any:
        if not is_shared():
            return read()
        now = monotonic()
        value = self._value
        if value is not _MISSING and now < self._until:
            return value
        forgotten = self._forgotten
        value = read()
        if forgotten == self._forgotten:
            self._value, self._until = value, now + self.seconds
        return value

    def forget(self) -> None:
        self._forgotten += 1
        self._value, self._until = _MISSING, 0.0


def forget_held() -> None:
    """Every process-held copy is read again at its next use (the cache was cleared)."""
    for held in list(_held):
        held.forget()
