"""A busy article: one request draws each new version of the shared page.

On a breaking story every new comment moves the article's version, and every reader
who comes in before the new copy is drawn would draw it too. The first claims the
drawing (``claim_drawing``); while it draws, the others are served the copy of the
version before (``latest_page``), if it is at most ``ARTICLES_PAGE_STALE_SECONDS`` old.
A reader alone is never served an old copy: there is no drawing in progress to wait
for.

At ten comments a second, one request drawing each version still draws ten copies a
second (~70 ms each from the comments' fragments), most of them seen by few readers
before the next. So an article whose last ``BUSY_DRAWS`` copies were all drawn within
``BUSY_DRAWS`` redraw intervals is *busy*, and on a busy article a copy younger than
``ARTICLES_PAGE_REDRAW_MS`` is served for newer versions too (``busy_copy``): at most
one copy a redraw interval, however fast the comments come; the live-updates poll
brings readers the rest. The copies themselves are ``articles.cache``'s."""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from articles.cache import KEY_PREFIX, get_page, set_page

_DRAWING_TIMEOUT = 10  # seconds: a drawer that died releases its claim by then
# Copies drawn in a row, each within a redraw interval of the one before (on average),
# that make an article busy.
BUSY_DRAWS = 3


def claim_drawing(key: str) -> bool:
    """True for the one request that draws the page under ``key`` now."""
    try:
        return cache.add(f"{key}:drawing", 1, _DRAWING_TIMEOUT)
    except Exception:  # noqa: BLE001 - without the cache, everyone draws
        return True


def drawing_done(key: str) -> None:
    try:
        cache.delete(f"{key}:drawing")
    except Exception:  # noqa: BLE001, S110 - the claim expires by itself
        pass


def _latest(slot: str):
    """``(drawn at, parts, the times the copies before were drawn)`` of the newest copy
    of ``slot``, or None."""
    kept = get_page(f"{KEY_PREFIX}:latest:{slot}")
    return kept if kept is not None and len(kept) == 3 else None


def latest_page(slot: str):
    """The parts of the newest copy drawn for ``slot`` (any version), if fresh enough."""
    kept = _latest(slot)
    if kept is None or wall_seconds() - kept[0] > settings.ARTICLES_PAGE_STALE_SECONDS:
        return None
    return kept[1]


def busy_copy(slot: str):
    """On a busy article, the parts of its newest copy if it is younger than the redraw
    interval (whatever version it shows), else None: draw the current one."""
    interval = settings.ARTICLES_PAGE_REDRAW_MS / 1000
    if not interval:
        return None
    kept = _latest(slot)
    if kept is None:
        return None
    drawn_at, parts, before = kept
    now = wall_seconds()
    busy = len(before) >= BUSY_DRAWS - 1 and drawn_at - before[0] <= BUSY_DRAWS * interval
    return parts if busy and now - drawn_at < interval else None


def set_latest_page(slot: str, parts) -> None:
    kept = _latest(slot)
    before = (*kept[2], kept[0])[-(BUSY_DRAWS - 1) :] if kept is not None else ()
    set_page(f"{KEY_PREFIX}:latest:{slot}", (wall_seconds(), parts, before))


def wall_seconds() -> float:
    """Seconds since the epoch: what every process reads the same."""
    return timezone.now().timestamp()
