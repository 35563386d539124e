"""How long ago, in one wording for the whole site: comments, the social box, anything
that shows a relative time. ``static/js/times.js`` words it the same way in the browser
(``Intl.RelativeTimeFormat`` in the page's language, whose words the catalogues here
follow) and refreshes it every minute, so a page served from a cache never says "just
now" for something hours old (``tests/browser/test_times.py`` holds the two to each
other, in each language).

"just now", "1 minute ago", "5 minutes ago", "1 hour ago", "3 hours ago", "yesterday",
"4 days ago"; a week or more: the date in the language's ``DATE_FORMAT`` ("12 November
2026", "12 de noviembre de 2026", "12. novembar 2026."). Whole units, rounded down; a
time slightly ahead of our clock is "just now". In Spanish "hace 2 horas", in Serbian
"pre 2 sata" / "пре 2 сата".
"""

from datetime import datetime

from django.utils import dateformat, formats, timezone
from django.utils.translation import gettext, ngettext


def time_ago(value: datetime | None, now: datetime | None = None) -> str:
    if not value:
        return ""
    seconds = int(((now or timezone.now()) - value).total_seconds())
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 1:
        return gettext("just now")
    if hours < 1:
        return ngettext("%(count)s minute ago", "%(count)s minutes ago", minutes) % {
            "count": minutes
        }
    if days < 1:
        return ngettext("%(count)s hour ago", "%(count)s hours ago", hours) % {"count": hours}
    if days < 2:
        return gettext("yesterday")
    if days < 7:
        return ngettext("%(count)s day ago", "%(count)s days ago", days) % {"count": days}
    return dateformat.format(timezone.localtime(value), formats.get_format("DATE_FORMAT"))
