from datetime import datetime

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from social.box import box_posts

register = template.Library()


@register.inclusion_tag("social/_box.html")
def social_box():
    """ "<SITE> on social": the newest posts. At most one query (none when cached)."""
    posts = [{**post, "text_html": mark_safe(post["text_html"])} for post in box_posts()]  # noqa: S308 - escaped by linkify
    return {"SITE_NAME": settings.SITE_NAME, "posts": posts}


def _plural(n: int, unit: str) -> str:
    return f"About {n} {unit}{'' if n == 1 else 's'} ago"


@register.filter
def about_ago(value: datetime | None, now: datetime | None = None) -> str:
    """ "Just now", "About 5 minutes ago", "About an hour ago", "About 3 hours ago",
    "About a day ago", "About 4 days ago": whole units, rounded down."""
    if not value:
        return ""
    seconds = int(((now or timezone.now()) - value).total_seconds())
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 1:  # also a time slightly ahead of our clock
        return "Just now"
    if hours < 1:
        return _plural(minutes, "minute")
    if hours < 2:
        return "About an hour ago"
    if days < 1:
        return _plural(hours, "hour")
    if days < 2:
        return "About a day ago"
    return _plural(days, "day")
