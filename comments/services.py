"""Workflows that change a comment after it is posted: its status (with the audit log
and the article's count), edits, likes, flags and following a thread. Pages, the API,
the admin and commands all call these, so each rule is written once.

Posting lives in ``comments.posting``, files in ``comments.attachments``, bans in
``comments.bans`` and the email outbox in ``comments.outbox``."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from articles import ratelimit
from articles.models import Article
from articles.voters import user_voter_key
from comments.attachments import attachments_purge
from comments.location import clean_location
from comments.models import (
    Comment,
    CommentFlag,
    CommentLike,
    ModerationLog,
    OutboxMessage,
    ThreadSubscription,
)
from comments.outbox import enqueue, outbox_add


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def can_moderate(user) -> bool:
    """Moderators (and editors) approve, edit and delete any comment: the one check for
    it, whatever asks (pages, API, admin, desk)."""
    return bool(user and user.is_authenticated and user.has_perm("comments.moderate_comment"))


def bump_comment_count(article_id: int, delta: int) -> None:
    """Keep the article's count of published comments in the caller's transaction."""
    if delta:
        Article.objects.filter(pk=article_id).update(comment_count=F("comment_count") + delta)


def after_approval(comment: Comment) -> None:
    """A comment was published: repliers and followers hear of it (once)."""
    outbox_add(kind=OutboxMessage.Kind.COMMENT_PUBLISHED, comment=comment)


def after_hold(comment: Comment, *, flagged: bool = False) -> None:
    """Tell moderators something waits (batched; flags at once)."""
    from comments import tasks

    if flagged:
        outbox_add(kind=OutboxMessage.Kind.COMMENT_FLAGGED, comment=comment)
    elif comment.status == Comment.Status.PENDING:
        # No outbox row: the periodic moderation digest lists whatever waits anyway.
        transaction.on_commit(lambda: enqueue(tasks.notify_moderators_pending))


_ACTION_FOR_STATUS = {
    Comment.Status.APPROVED: ModerationLog.Action.APPROVE,
    Comment.Status.REJECTED: ModerationLog.Action.REJECT,
    Comment.Status.SPAM: ModerationLog.Action.SPAM,
    Comment.Status.DELETED: ModerationLog.Action.DELETE,
    Comment.Status.PENDING: ModerationLog.Action.PENDING,
}


def log_action(*, comment, action, actor=None, from_status="", to_status="", reason=""):
    """Write one row of the audit log (``actor``: the moderator; None for the rules)."""
    ModerationLog.objects.create(
        comment=comment,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:300],
    )


def poster_identity(*, user=None, email: str = "") -> str | None:
    """Whom a rate limit counts: the account, else the guest's email address."""
    if user is not None and user.is_authenticated:
        return user_voter_key(user)
    return f"e:{normalize_email(email)}" if email else None


def rate_limit(
    scope: str, rate: str, *, ip_address=None, user=None, email: str = "", voter=None
) -> None:
    """Count one ``scope`` action against the client's IP and the poster; raise
    ``RateLimited`` (HTTP 429) when either is over ``rate``."""
    ratelimit.hit(
        scope, rate, poster_identity(user=user, email=email) or voter, ip_address=ip_address
    )


def upload_rate_limit(*, ip_address, user, voter) -> None:
    """Count one file upload (the API's attachment endpoint, the page's edit form)."""
    rate_limit("upload", settings.UPLOADS_RATE_LIMIT, ip_address=ip_address, user=user, voter=voter)


@transaction.atomic
def comment_set_status(*, comment: Comment, status: str, by=None, reason: str = "") -> Comment:
    """Move a comment to ``status``, keep the article's approved count in step and
    write the audit log (``by`` is the moderator; None for the rules).

    Locks the comment row so two moderators acting at once count it once.
    """
    if status not in Comment.Status.values:
        raise ValidationError({"status": [f"Choose one of: {', '.join(Comment.Status.values)}."]})
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    old = locked.status
    if old == status:
        return locked
    locked.status = status
    locked.save(update_fields=["status"])
    log_action(
        comment=locked,
        action=_ACTION_FOR_STATUS[status],
        actor=by,
        from_status=old,
        to_status=status,
        reason=reason,
    )
    approved = Comment.Status.APPROVED
    bump_comment_count(locked.article_id, (status == approved) - (old == approved))
    if status == approved and old == Comment.Status.PENDING:
        after_approval(locked)
    comment.status = status
    return locked


def comment_approve(*, comment: Comment, by=None) -> Comment:
    return comment_set_status(comment=comment, status=Comment.Status.APPROVED, by=by)


@transaction.atomic
def comment_delete(*, comment: Comment, by=None) -> Comment:
    """Delete a comment. With approved replies it stays as a "[deleted]" placeholder
    that keeps the thread together; without, it simply disappears from the page. Its
    attachments go, files included (after the transaction commits)."""
    deleted = comment_set_status(comment=comment, status=Comment.Status.DELETED, by=by)
    attachments_purge(comment=deleted)
    return deleted


KEEP = object()  # comment_edit: leave the location as it is


@transaction.atomic
def comment_edit(*, comment: Comment, body: str | None = None, by=None, location=KEEP) -> Comment:
    if body is not None and not body.strip():
        raise ValidationError({"body": ["Write something before posting."]})
    if location is not KEEP:
        # None removes the location; a dict replaces it (cleaned and coarsened again).
        fields = clean_location(location).as_fields()
        if any(getattr(comment, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(comment, name, value)
            comment.edited_at = timezone.now()
            comment.save(update_fields=[*fields, "edited_at"])
    if body is not None and body != comment.body:
        comment.set_body(body)
        comment.edited_at = timezone.now()
        comment.full_clean(exclude=["path", "body_html", "edit_token_hash", "parent", "reply_to"])
        comment.save(update_fields=["body", "body_html", "edited_at"])
        if by is not None and by.is_authenticated and by.pk != comment.user_id:
            log_action(comment=comment, action=ModerationLog.Action.EDIT, actor=by)
    return comment


def can_edit(*, comment: Comment, user=None, token: str | None = None, now=None) -> bool:
    """Authors within the edit window (users by account, guests by edit token);
    moderators at any time."""
    if can_moderate(user):
        return True
    if comment.status in (Comment.Status.DELETED, Comment.Status.SPAM, Comment.Status.REJECTED):
        return False
    if not comment.in_edit_window(now):
        return False
    if comment.user_id is not None:
        return bool(user and user.is_authenticated and user.pk == comment.user_id)
    return comment.token_matches(token)


def _require_public(comment: Comment) -> None:
    if comment.status != Comment.Status.APPROVED:
        raise ValidationError({"comment": ["This comment is not published."]})


@transaction.atomic
def comment_like(*, comment: Comment, voter: str, ip_address=None) -> tuple[int, bool]:
    """Like once per voter (the database's unique constraint decides races)."""
    _require_public(comment)
    rate_limit("like", settings.LIKES_RATE_LIMIT, ip_address=ip_address, voter=voter)
    try:
        with transaction.atomic():
            CommentLike.objects.create(comment=comment, voter=voter)
    except IntegrityError:
        pass
    else:
        Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") + 1)
    comment.refresh_from_db(fields=["like_count"])
    return comment.like_count, True


@transaction.atomic
def comment_unlike(*, comment: Comment, voter: str) -> tuple[int, bool]:
    removed, _ = CommentLike.objects.filter(comment=comment, voter=voter).delete()
    if removed:
        Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") - removed)
    comment.refresh_from_db(fields=["like_count"])
    return comment.like_count, False


@transaction.atomic
def comment_flag(
    *,
    comment: Comment,
    voter: str,
    reason: str,
    note: str = "",
    user=None,
    ip_address: str | None = None,
) -> tuple[CommentFlag, bool]:
    """Flag once per voter; returns the flag and whether it is new.

    ``COMMENTS_FLAG_THRESHOLD`` flags from distinct voters send the comment back to
    review, and moderators hear about every new flag."""
    _require_public(comment)
    rate_limit("flag", settings.FLAGS_RATE_LIMIT, ip_address=ip_address, voter=voter)
    if reason not in CommentFlag.Reason.values:
        raise ValidationError(
            {"reason": [f"Choose one of: {', '.join(CommentFlag.Reason.values)}."]}
        )
    try:
        with transaction.atomic():
            flag = CommentFlag.objects.create(
                comment=comment,
                voter=voter,
                reason=reason,
                note=(note or "")[:500],
                user=user if user is not None and user.is_authenticated else None,
                ip_address=ip_address,
            )
    except IntegrityError:
        return CommentFlag.objects.get(comment=comment, voter=voter), False
    Comment.objects.filter(pk=comment.pk).update(flag_count=F("flag_count") + 1)
    comment.refresh_from_db(fields=["flag_count", "status", "moderation_reasons"])
    if comment.flag_count >= settings.COMMENTS_FLAG_THRESHOLD:
        if "flagged" not in comment.moderation_reasons:
            comment.moderation_reasons = [*comment.moderation_reasons, "flagged"]
            comment.save(update_fields=["moderation_reasons"])
        comment_set_status(
            comment=comment,
            status=Comment.Status.PENDING,
            reason=f"{comment.flag_count} flags from readers",
        )
    after_hold(comment, flagged=True)
    return flag, True


def thread_subscribe(*, user, article: Article) -> ThreadSubscription:
    subscription, _ = ThreadSubscription.objects.get_or_create(user=user, article=article)
    return subscription


def thread_unsubscribe(*, user, article: Article) -> None:
    ThreadSubscription.objects.filter(user=user, article=article).delete()
