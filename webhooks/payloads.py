"""What an event says about its object. Never a guest's email or an IP address: an
endpoint is another system, and readers gave those to us only."""

from django.conf import settings


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def article_data(article) -> dict:
    url = article.external_url or absolute(article.get_absolute_url())
    return {"id": article.pk, "title": article.title, "url": url}


def comment_data(comment) -> dict:
    return {
        "id": comment.pk,
        "article": article_data(comment.article),
        "parent_id": comment.parent_id,
        "status": comment.status,
        "author": {"name": comment.author_name, "registered": comment.user_id is not None},
        "body": comment.body,
        "created_at": comment.created_at.isoformat(),
        "url": absolute(comment.get_absolute_url()),
    }


def slack_alert(event: str, comment) -> dict:
    """A Slack-compatible incoming-webhook message for moderators."""
    what = "flagged" if event == "comment.flagged" else "held for review"
    url = absolute(comment.get_absolute_url())
    text = (
        f"A comment by {comment.author_name} on “{comment.article.title}” was {what}: "
        f"{comment.body[:300]}\n<{url}|Open it> · <{settings.SITE_URL}/moderate/|Moderation desk>"
    )
    return {"text": text}
