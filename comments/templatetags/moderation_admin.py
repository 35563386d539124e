"""The moderation counts on the admin index (templates/admin/index.html)."""

from django import template
from django.db.models import Count, Q

from comments.models import Comment

register = template.Library()


@register.simple_tag
def moderation_counts() -> dict:
    """How many comments wait for review and how many carry flags (one query).

    "Flagged" counts queued comments with flags, pending or still published, as the
    queue's ``?queue=flagged`` filter shows them."""
    pending, approved = Comment.Status.PENDING, Comment.Status.APPROVED
    return Comment.objects.filter(
        Q(status=pending) | Q(status=approved, flag_count__gt=0)
    ).aggregate(
        pending=Count("pk", filter=Q(status=pending)),
        flagged=Count("pk", filter=Q(flag_count__gt=0)),
    )
