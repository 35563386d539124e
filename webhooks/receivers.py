"""The features' signals turned into webhook deliveries (in the event's transaction)."""

from comments import signals as comment_signals
from comments.models import Comment
from newsletter import signals as newsletter_signals
from ratings import signals as rating_signals
from webhooks import payloads
from webhooks.models import Webhook
from webhooks.services import deliveries_queue, endpoints_forget, wanted

STATUS_EVENTS = {
    Comment.Status.APPROVED: "comment.approved",
    Comment.Status.REJECTED: "comment.rejected",
    Comment.Status.SPAM: "comment.rejected",
    Comment.Status.DELETED: "comment.deleted",
}


def on_comment_created(sender, comment, **kwargs):
    if not wanted("comment.created"):
        return
    held = comment.status == Comment.Status.PENDING
    deliveries_queue(
        event="comment.created",
        data=payloads.comment_data(comment),
        slack=payloads.slack_alert("comment.created", comment) if held else None,
    )


def on_status_changed(sender, comment, old, new, **kwargs):
    event = STATUS_EVENTS.get(new)
    if event and wanted(event):
        deliveries_queue(event=event, data=payloads.comment_data(comment))


def on_flagged(sender, comment, flag, **kwargs):
    if not wanted("comment.flagged"):
        return
    data = {**payloads.comment_data(comment), "flag": {"reason": flag.reason}}
    slack = payloads.slack_alert("comment.flagged", comment)
    deliveries_queue(event="comment.flagged", data=data, slack=slack)


def on_rating_changed(sender, article, stars, **kwargs):
    if not wanted("rating.changed"):
        return
    article.refresh_from_db(fields=["rating_count", "rating_sum"])
    data = {
        "article": payloads.article_data(article),
        "stars": stars,
        "rating_count": article.rating_count,
        "rating_sum": article.rating_sum,
    }
    deliveries_queue(event="rating.changed", data=data)


def on_subscription_confirmed(sender, subscriber, lists, **kwargs):
    if not wanted("subscription.confirmed"):
        return
    # The subscriber's address is personal data: only the lists are told.
    data = {"lists": [{"slug": x.slug, "name": x.name} for x in lists]}
    deliveries_queue(event="subscription.confirmed", data=data)


def on_endpoint_changed(sender, **kwargs):
    endpoints_forget()


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    uid = "webhooks"
    post_save.connect(on_endpoint_changed, sender=Webhook, dispatch_uid=uid)
    post_delete.connect(on_endpoint_changed, sender=Webhook, dispatch_uid=uid)
    comment_signals.comment_created.connect(on_comment_created, dispatch_uid=uid)
    comment_signals.comment_status_changed.connect(on_status_changed, dispatch_uid=uid)
    comment_signals.comment_flagged.connect(on_flagged, dispatch_uid=uid)
    rating_signals.rating_changed.connect(on_rating_changed, dispatch_uid=uid)
    newsletter_signals.subscription_confirmed.connect(on_subscription_confirmed, dispatch_uid=uid)
