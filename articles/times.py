"""How long ago, in one wording for the whole site: comments, the social box, anything
that shows a relative time. ``static/js/times.js`` words it the same way in the browser
and refreshes it every minute, so a page served from a cache never says "just now" for
something hours old (``tests/browser/test_times.py`` holds the two to each other).

"just now", "1 minute ago", "5 minutes ago", "1 hour ago", "3 hours ago", "yesterday",
"4 days ago"; a week or more: the date ("12 November 2026"). Whole units, rounded down;
a time slightly ahead of our clock is "just now".
"""

from datetime import datetime

from django.utils import dateformat, timezone


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'} ago"


def time_ago(value: datetime | None, now: datetime | None = None) -> str:
    if not value:
        return ""
    seconds = int(((now or timezone.now()) - value).total_seconds())
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 1:
        return "just now"
    if hours < 1:
        return _plural(minutes, "minute")
    if days < 1:
        return _plural(hours, "hour")
    if days < 2:
        return "yesterday"
    if days < 7:
        return _plural(days, "day")
    return dateformat.format(timezone.localtime(value), "j F Y")
