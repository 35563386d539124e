"""A busy article: one request draws each new version of the shared page.

On a breaking story every new comment moves the article's version, and every reader
who comes in before the new copy is drawn would draw it too. The first claims the
drawing (``claim_drawing``); while it draws, the others are served the copy of the
version before (``latest_page``), if it is at most ``ARTICLES_PAGE_STALE_SECONDS`` old.
A reader alone is never served an old copy: there is no drawing in progress to wait
for. The copies themselves are ``articles.cache``'s."""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from articles.cache import KEY_PREFIX, get_page, set_page

_DRAWING_TIMEOUT = 10  # seconds: a drawer that died releases its claim by then


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


def latest_page(slot: str):
    """The parts of the newest copy drawn for ``slot`` (any version), if fresh enough."""
    kept = get_page(f"{KEY_PREFIX}:latest:{slot}")
    if kept is None or wall_seconds() - kept[0] > settings.ARTICLES_PAGE_STALE_SECONDS:
        return None
    return kept[1]


def set_latest_page(slot: str, parts) -> None:
    set_page(f"{KEY_PREFIX}:latest:{slot}", (wall_seconds(), parts))


def wall_seconds() -> float:
    """Seconds since the epoch: what every process reads the same."""
    return timezone.now().timestamp()
