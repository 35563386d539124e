"""The sidebar box's posts, cached under a version that changes whenever posts do.

Cached as plain data (not rendered HTML) so that "About N minutes ago" is worked out
on each page view while the database is still asked at most once per cache period.
A version key, rather than deleting one key, also retires entries cached for other
box sizes, and a version that was evicted restarts from the clock, never from an old
number whose entries might still be cached.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from social.models import SocialPost

VERSION_KEY = "social:box:version"


def _version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY, time.time_ns())
    return version


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # evicted or never set
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def box_invalidate() -> None:
    """Forget the cached box now and again when the current transaction commits (a page
    rendered in between could otherwise cache the posts as they were before it)."""
    _bump()
    transaction.on_commit(_bump)


def box_posts() -> list[dict]:
    """The newest ``SOCIAL_BOX_SIZE`` visible posts as plain dicts: one query when the
    cache is cold, none when warm."""
    from social.text import linkify

    size = settings.SOCIAL_BOX_SIZE
    key = f"social:box:v{_version()}:n{size}"
    posts = cache.get(key)
    if posts is None:
        posts = [
            {
                "id": post.pk,
                "text_html": str(linkify(post.text)),
                "url": post.url,
                "published_at": post.published_at,
                "source": post.source.display_label,
                "source_url": post.source.profile_url,
            }
            for post in SocialPost.objects.visible().newest()[:size]
        ]
        cache.set(key, posts, timeout=settings.SOCIAL_BOX_CACHE_SECONDS)
    return posts
