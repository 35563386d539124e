"""Notification emails about comments: replies and followed threads.

Every email carries a one-click unsubscribe link (a signed token, also sent as the
RFC 8058 ``List-Unsubscribe`` headers)."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from articles.links import absolute_url
from comments.models import Comment, ThreadSubscription

_SALT = "comments.unsubscribe"


def unsubscribe_token(*, kind: str, user_id: int | None = None, email: str = "", article_id=None):
    payload = {"k": kind}
    if user_id:
        payload["u"] = user_id
    if email:
        payload["e"] = email
    if article_id:
        payload["a"] = article_id
    return signing.dumps(payload, salt=_SALT, compress=True)


def read_unsubscribe_token(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None


def _send(*, template: str, to: str, context: dict, token: str) -> None:
    unsubscribe_url = absolute_url(reverse("comments:unsubscribe", args=[token]))
    context = {**context, "unsubscribe_url": unsubscribe_url, "SITE_NAME": settings.SITE_NAME}
    subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{template}/body.txt", context),
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string(f"emails/{template}/body.html", context), "text/html"
    )
    message.send()


def send_comment_notifications(comment: Comment) -> list[str]:
    """Email the author of the comment replied to, and the thread's followers.

    Nobody hears about their own comment, and nobody gets two emails for one comment.
    Returns the addresses written to.
    """
    if comment.status != Comment.Status.APPROVED:
        return []
    article = comment.article
    url = absolute_url(comment.get_absolute_url())
    context = {"comment": comment, "article": article, "comment_url": url}
    own = {comment.author_email.lower()} if comment.author_email else set()
    sent: list[str] = []

    parent = comment.reply_to
    if parent is not None and parent.wants_reply_emails and parent.author_email:
        address = parent.author_email
        if address.lower() not in own:
            token = unsubscribe_token(
                kind="reply",
                user_id=parent.user_id,
                email="" if parent.user_id else parent.guest_email,
            )
            _send(
                template="comment_reply",
                to=address,
                context={**context, "parent": parent},
                token=token,
            )
            sent.append(address.lower())

    followers = (
        ThreadSubscription.objects.filter(article=article, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    for subscription in followers:
        address = subscription.user.email
        if not address or address.lower() in own or address.lower() in sent:
            continue
        token = unsubscribe_token(
            kind="thread", user_id=subscription.user_id, article_id=article.pk
        )
        _send(template="thread_comment", to=address, context=context, token=token)
        sent.append(address.lower())
    return sent


def moderators():
    """Active accounts that may moderate comments and have an email address."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    permission = Permission.objects.filter(
        content_type__app_label="comments", codename="moderate_comment"
    ).first()
    can = Q(is_superuser=True)
    if permission is not None:
        can |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    return (
        get_user_model()
        .objects.filter(can, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _send_to_moderators(template: str, context: dict) -> int:
    context = {**context, "SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
    sent = 0
    for moderator in moderators():
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"emails/{template}/body.txt", context),
            to=[moderator.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(
            render_to_string(f"emails/{template}/body.html", context), "text/html"
        )
        message.send()
        sent += 1
    return sent


def send_pending_digest(limit: int = 50) -> int:
    """One email to each moderator listing what waits for review (oldest first)."""
    waiting = Comment.objects.filter(status=Comment.Status.PENDING)
    total = waiting.count()
    if not total:
        return 0
    comments = list(waiting.select_related("article", "user").order_by("created_at")[:limit])
    queue_url = absolute_url(
        reverse("admin:comments_comment_changelist") + "?status__exact=pending"
    )
    return _send_to_moderators(
        "moderation_pending", {"comments": comments, "total": total, "queue_url": queue_url}
    )


def send_flag_alert(comment: Comment) -> int:
    flags = list(comment.flags.order_by("created_at"))
    admin_url = absolute_url(reverse("admin:comments_comment_change", args=[comment.pk]))
    return _send_to_moderators(
        "moderation_flagged", {"comment": comment, "flags": flags, "admin_url": admin_url}
    )
