"""The moderation counts on the admin index (templates/admin/index.html)."""

from django import template

from comments.models import Comment
from comments.queues import capped_counts, shown_count

register = template.Library()


@register.simple_tag
def moderation_counts() -> dict:
    """How many comments wait for review and how many carry flags (one query), as
    the desk counts: each stops past ``queues.COUNT_CAP`` and reads "1000+", so the
    admin's front page never counts a large site's whole backlog.

    "Flagged" counts queued comments with flags, pending or still published, as the
    queue's ``?queue=flagged`` filter shows them."""
    pending, approved = Comment.Status.PENDING, Comment.Status.APPROVED
    counts = capped_counts(
        pending=Comment.objects.filter(status=pending),
        flagged=Comment.objects.filter(status__in=[pending, approved], flag_count__gt=0),
    )
    return {name: shown_count(count) for name, count in counts.items()}
