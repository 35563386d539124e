from celery import shared_task

from comments import emails
from comments.models import Comment


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_comment_notifications(comment_id: int) -> int:
    """Send reply and thread emails for a newly published comment."""
    comment = (
        Comment.objects.select_related("article", "user", "reply_to", "reply_to__user")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return 0
    return len(emails.send_comment_notifications(comment))
