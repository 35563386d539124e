"""Notification emails about comments: replies and followed threads; and the
moderators' digests of comments waiting for review and of readers' new flags.

Every email to readers carries a one-click unsubscribe link (a signed token, also
sent as the RFC 8058 ``List-Unsubscribe`` headers)."""

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from articles.links import absolute_url
from comments.models import Comment, CommentFlag, ThreadSubscription

logger = logging.getLogger(__name__)

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


class UndeliverableAddresses(Exception):
    """Raised by a send function once everybody else has had their email, when some
    recipients' addresses cannot be put on an email at all (e.g. ``pat@a\ufffd.example``,
    stored before addresses were checked the way they are sent; issue 16). The caller
    records it: sending again would not help those addresses and would email the others
    twice. ``sent`` is how many emails did go out."""

    def __init__(self, failures: list[str], *, sent: int):
        super().__init__("; ".join(failures))
        self.failures = failures
        self.sent = sent


def _send_or_note(message: EmailMultiAlternatives, failures: list[str]) -> bool:
    """Send ``message``; when its recipient's address cannot be encoded (``ValueError``,
    which ``UnicodeError`` is) note why in ``failures`` and return False. Transport
    errors (``OSError``) are raised: the outbox retries the whole message later."""
    try:
        message.send()
    except ValueError as exc:
        failures.append(f"{', '.join(message.to)}: {type(exc).__name__}: {exc}")
        return False
    return True


def _send(
    *, template: str, to: str, context: dict, token: str, failures: list[str], language: str
) -> bool:
    """One email, written in the recipient's ``language``."""
    unsubscribe_url = absolute_url(reverse("comments:unsubscribe", args=[token]))
    context = {**context, "unsubscribe_url": unsubscribe_url, "SITE_NAME": settings.SITE_NAME}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
        body = render_to_string(f"emails/{template}/body.txt", context)
        html = render_to_string(f"emails/{template}/body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return _send_or_note(message, failures)


def send_comment_notifications(comment: Comment) -> list[str]:
    """Email the author of the comment replied to, and the thread's followers.

    Nobody hears about their own comment, and nobody gets two emails for one comment.
    Returns the addresses written to; raises ``UndeliverableAddresses`` after sending
    the rest when some address cannot receive mail.
    """
    if comment.status != Comment.Status.APPROVED:
        return []
    article = comment.article
    url = absolute_url(comment.get_absolute_url())
    context = {"comment": comment, "article": article, "comment_url": url}
    own = {comment.author_email.lower()} if comment.author_email else set()
    sent: list[str] = []
    failures: list[str] = []

    parent = comment.reply_to
    if parent is not None and parent.wants_reply_emails and parent.author_email:
        address = parent.author_email
        if address.lower() not in own:
            token = unsubscribe_token(
                kind="reply",
                user_id=parent.user_id,
                email="" if parent.user_id else parent.guest_email,
            )
            if _send(
                template="comment_reply",
                to=address,
                context={**context, "parent": parent},
                token=token,
                failures=failures,
                language=parent.author_language,
            ):
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
        if _send(
            template="thread_comment",
            to=address,
            context=context,
            token=token,
            failures=failures,
            language=subscription.user.language or settings.LANGUAGE_CODE,
        ):
            sent.append(address.lower())
    if failures:
        raise UndeliverableAddresses(failures, sent=len(sent))
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
    """The same email to every moderator, each in their profile's language (drawn once
    per language)."""
    context = {**context, "SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL}
    drawn: dict[str, tuple[str, str, str]] = {}
    sent = 0
    failures: list[str] = []
    for moderator in moderators():
        language = moderator.language or settings.LANGUAGE_CODE
        if language not in drawn:
            with translation.override(language):
                drawn[language] = (
                    " ".join(render_to_string(f"emails/{template}/subject.txt", context).split()),
                    render_to_string(f"emails/{template}/body.txt", context),
                    render_to_string(f"emails/{template}/body.html", context),
                )
        subject, body, html = drawn[language]
        message = EmailMultiAlternatives(
            subject=subject,
            body=body,
            to=[moderator.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(html, "text/html")
        sent += _send_or_note(message, failures)
    if failures:
        raise UndeliverableAddresses(failures, sent=sent)
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
    context = {"comments": comments, "total": total, "queue_url": queue_url}
    try:
        return _send_to_moderators("moderation_pending", context)
    except UndeliverableAddresses as exc:
        # The other moderators have their digest; raising would send it to them again
        # at the next run (the digest's quiet period starts only after a success).
        logger.warning("moderation digest: %s address(es) cannot receive mail", len(exc.failures))
        return exc.sent


def send_flag_digest(*, limit: int = 1000, shown: int = 50) -> int:
    """One email to each moderator about the flags not emailed yet: per comment, its
    new flags (reason and note), whether it went back to review and how many flags
    count towards ``COMMENTS_FLAG_THRESHOLD`` now. Comments back in review come first.
    Returns how many emails went out (0 when no flag is new).

    The flags are claimed (``notified_at``) in the transaction that sends, their rows
    locked (``SKIP LOCKED`` on PostgreSQL), so two digests at once never list a flag
    twice; if sending fails (``OSError``) the claim rolls back with it and the next
    digest lists them again. At most ``limit`` flags per email (oldest first: the rest
    wait for the next one), and ``shown`` comments listed."""
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        ids = list(
            CommentFlag.objects.select_for_update(skip_locked=skip_locked)
            .filter(notified_at__isnull=True)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return 0
        CommentFlag.objects.filter(pk__in=ids).update(notified_at=timezone.now())
        flags = (
            CommentFlag.objects.filter(pk__in=ids)
            .select_related("comment__article", "comment__user")
            .order_by("comment_id", "created_at", "pk")
        )
        by_comment: dict[int, dict] = {}
        for flag in flags:
            item = by_comment.setdefault(flag.comment_id, {"comment": flag.comment, "flags": []})
            item["flags"].append(flag)
        items = sorted(
            by_comment.values(),
            key=lambda item: (item["comment"].status != Comment.Status.PENDING, item["comment"].pk),
        )
        for item in items[:shown]:
            item["admin_url"] = absolute_url(
                reverse("admin:comments_comment_change", args=[item["comment"].pk])
            )
        context = {
            "items": items[:shown],
            "flag_total": len(ids),
            "comment_total": len(items),
            "threshold": settings.COMMENTS_FLAG_THRESHOLD,
            "queue_url": absolute_url(
                reverse("admin:comments_moderationqueueitem_changelist") + "?queue=flagged"
            ),
        }
        try:
            return _send_to_moderators("moderation_flag_digest", context)
        except UndeliverableAddresses as exc:
            # The others have theirs: keep the claim, or they would get it twice.
            logger.warning("flag digest: %s address(es) cannot receive mail", len(exc.failures))
            return exc.sent


# Sends the outbox's COMMENT_FLAGGED rows queued before flags were batched into
# ``send_flag_digest``; nothing queues new ones.
def send_flag_alert(comment: Comment) -> int:
    flags = list(comment.flags.order_by("created_at"))
    admin_url = absolute_url(reverse("admin:comments_comment_change", args=[comment.pk]))
    return _send_to_moderators(
        "moderation_flagged", {"comment": comment, "flags": flags, "admin_url": admin_url}
    )
