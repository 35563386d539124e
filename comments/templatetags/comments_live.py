"""What the comment section's live updates need from the settings (static/js/comments.js
reads them from data attributes)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def live_poll_ms() -> int:
    """How often an open page asks for new comments (``COMMENTS_POLL_MS``)."""
    return settings.COMMENTS_POLL_MS
