"""Workflows that write comments. Pages, the API, the admin and commands all call these,
so each rule is written once."""

import ipaddress
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import F
from django.utils import timezone

from articles import ratelimit
from articles.models import Article
from comments import moderation
from comments.location import clean_location
from comments.models import (
    PATH_SEP,
    Attachment,
    Ban,
    Comment,
    CommentFlag,
    CommentLike,
    IdempotencyKey,
    ModerationLog,
    OutboxMessage,
    ThreadSubscription,
)
from comments.moderation import Banned  # noqa: F401 - re-exported for the views
from ratings.services import rating_set, validate_stars

RateLimited = ratelimit.RateLimited
client_ip = ratelimit.client_ip
logger = logging.getLogger(__name__)


class CommentsClosed(PermissionDenied):
    """Comments on this article are closed (HTTP 403)."""


@dataclass
class CreatedComment:
    comment: Comment
    # A guest's edit secret, shown once; None for registered users.
    edit_token: str | None


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def can_moderate(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("comments.moderate_comment"))


def _display_parent(parent: Comment | None) -> Comment | None:
    """Replies below the display cap attach to the deepest shown level."""
    while parent is not None and parent.depth >= settings.COMMENTS_MAX_DEPTH - 1:
        parent = parent.parent
    return parent


def _bump_comment_count(article_id: int, delta: int) -> None:
    if delta:
        Article.objects.filter(pk=article_id).update(comment_count=F("comment_count") + delta)


def _enqueue(task, *args) -> None:
    """Hand a task to the broker; if the broker is unreachable, log and carry on — the
    request has done its work, and what must not be lost is in the outbox."""
    from kombu.exceptions import OperationalError as BrokerUnavailable

    try:
        task.delay(*args)
    except (BrokerUnavailable, OSError) as exc:
        logger.warning("task broker unavailable; %s(%s) not queued: %s", task.name, args, exc)


def _outbox(kind: str, comment: Comment) -> None:
    """Write an outbox row in the caller's transaction and, once it commits, ask a
    worker to send it at once; ``drain_outbox`` sends it later if that fails."""
    from comments import tasks

    with transaction.atomic():
        if kind == OutboxMessage.Kind.COMMENT_PUBLISHED:
            # Announced once (comments_outboxmessage_published_once), even if it is
            # approved again after a review.
            message, created = OutboxMessage.objects.get_or_create(kind=kind, comment=comment)
            if not created:
                return
        else:
            message = OutboxMessage.objects.create(kind=kind, comment=comment)
    message_id = message.pk
    transaction.on_commit(lambda: _enqueue(tasks.deliver_outbox_message, message_id))


def _after_approval(comment: Comment) -> None:
    _outbox(OutboxMessage.Kind.COMMENT_PUBLISHED, comment)


def _after_hold(comment: Comment, *, flagged: bool = False) -> None:
    """Tell moderators something waits (batched; flags at once)."""
    from comments import tasks

    if flagged:
        _outbox(OutboxMessage.Kind.COMMENT_FLAGGED, comment)
    elif comment.status == Comment.Status.PENDING:
        # No outbox row: the periodic moderation digest lists whatever waits anyway.
        transaction.on_commit(lambda: _enqueue(tasks.notify_moderators_pending))


_ACTION_FOR_STATUS = {
    Comment.Status.APPROVED: ModerationLog.Action.APPROVE,
    Comment.Status.REJECTED: ModerationLog.Action.REJECT,
    Comment.Status.SPAM: ModerationLog.Action.SPAM,
    Comment.Status.DELETED: ModerationLog.Action.DELETE,
    Comment.Status.PENDING: ModerationLog.Action.PENDING,
}


def _log(*, comment, action, actor=None, from_status="", to_status="", reason=""):
    ModerationLog.objects.create(
        comment=comment,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:300],
    )


def poster_identity(*, user=None, email: str = "") -> str | None:
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
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
def comment_create(
    *,
    article: Article,
    body: str,
    user=None,
    guest_name: str = "",
    guest_email: str = "",
    parent: Comment | None = None,
    notify_replies: bool = False,
    subscribe: bool = False,
    ip_address: str | None = None,
    user_agent: str = "",
    status: str | None = None,
    notify: bool = True,
    honeypot: str = "",
    form_age: float | None = None,
    enforce_limits: bool = True,
    location: dict | None = None,
    rating: int | None = None,
    voter: str | None = None,
    attachments: list | None = None,
) -> CreatedComment:
    """Create a comment, all or nothing.

    Raises ``CommentsClosed`` when the article takes no comments and ``ValidationError``
    (with field names) for a bad parent or a missing guest identity. ``status`` lets
    forces a status (demo data, imports); ``notify=False`` sends no emails.
    Raises ``Banned`` for a banned poster and ``RateLimited`` over the rate limit
    (unless ``enforce_limits`` is off, for imports). ``honeypot`` and ``form_age``
    come from the page form (see ``comments.moderation.comment_moderate``).
    ``attachments`` are files already checked by ``comments.attachments.prepare``.
    ``location`` is ``{name?, latitude?, longitude?, precise?}`` (cleaned and coarsened
    by ``comments.location``); ``rating`` (1..5) is also saved as ``voter``'s vote on
    the article, in the same transaction.
    """
    if not article.comments_open or not article.is_public:
        raise CommentsClosed("Comments are closed for this article.")
    if not (body or "").strip():
        raise ValidationError({"body": ["Write something before posting."]})
    is_user = user is not None and user.is_authenticated
    if not is_user and not (guest_name.strip() and guest_email.strip()):
        raise ValidationError({"name": ["Guests must give a name and an email."]})
    acting = user if is_user else None
    moderation.check_not_banned(user=acting, email=guest_email, ip_address=ip_address)
    if enforce_limits:
        rate_limit(
            "comment",
            settings.COMMENTS_RATE_LIMIT,
            ip_address=ip_address,
            user=acting,
            email=guest_email,
        )
    if parent is not None and (
        parent.article_id != article.pk or parent.status != Comment.Status.APPROVED
    ):
        raise ValidationError({"parent": ["You can only reply to a published comment here."]})

    attachments = list(attachments or [])
    if len(attachments) > settings.COMMENTS_MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": [
                    f"A comment can have at most {settings.COMMENTS_MAX_ATTACHMENTS} attachments."
                ]
            }
        )
    place = clean_location(location)
    if rating is not None:
        rating = _validate_rating(article, rating)
    if status is None:
        decision = moderation.comment_moderate(
            article=article,
            body=body,
            user=acting,
            guest_email=guest_email,
            is_moderator=can_moderate(acting),
            honeypot=honeypot,
            form_age=form_age,
            context={"ip_address": ip_address, "user_agent": user_agent},
        )
        status, reasons = decision.status, decision.reasons
    else:
        reasons = []
    display_parent = _display_parent(parent)
    comment = Comment(
        article=article,
        parent=display_parent,
        reply_to=parent,
        depth=display_parent.depth + 1 if display_parent else 0,
        user=user if is_user else None,
        guest_name="" if is_user else guest_name.strip(),
        guest_email="" if is_user else normalize_email(guest_email),
        notify_replies=bool(notify_replies) and not is_user,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:300],
        status=status,
        moderation_reasons=reasons,
        rating=rating,
        **place.as_fields(),
    )
    comment.set_body(body)
    token = None if is_user else comment.issue_edit_token()
    # Field rules only (lengths, choices, the email's form). The article, parent and
    # user were loaded by the caller, and the check constraints hold by construction
    # here and are enforced by the database anyway: validating them again costs a
    # query and a savepoint each (16 of a guest post's 25 queries before).
    comment.full_clean(
        exclude=["path", "body_html", "edit_token_hash", "article", "parent", "reply_to", "user"],
        validate_constraints=False,
    )
    comment.save()
    # The path needs the new id, so it is written right after the insert.
    comment.path = (
        f"{display_parent.path}{PATH_SEP}" if display_parent else ""
    ) + comment.thread_path()
    Comment.objects.filter(pk=comment.pk).update(path=comment.path)

    if is_user and subscribe:
        ThreadSubscription.objects.get_or_create(user=user, article=article)
    if rating is not None:
        rating_set(
            article=article,
            voter=voter or (f"u:{user.pk}" if is_user else f"c:{comment.pk}"),
            stars=rating,
            user=acting,
            ip_address=ip_address,
            enforce_limits=enforce_limits,
        )
    # Files last: storage is outside the transaction, so nothing may fail after them.
    stored = []
    try:
        for prepared in attachments:
            stored.append(attachment_add(comment=comment, prepared=prepared))
    except BaseException:
        _discard_files(*(name for a in stored for name in (a.file.name, a.thumbnail.name)))
        raise
    if comment.status == Comment.Status.APPROVED:
        _bump_comment_count(article.pk, 1)
        if notify:
            _after_approval(comment)
    elif reasons:
        _log(
            comment=comment,
            action=ModerationLog.Action.HELD,
            to_status=comment.status,
            reason=", ".join(reasons),
        )
        if notify:
            _after_hold(comment)
    return CreatedComment(comment=comment, edit_token=token)


class IdempotencyConflict(Exception):
    """The idempotency key was used before for a different request (HTTP 409)."""


@transaction.atomic
def comment_create_once(
    *,
    idempotency_key: str,
    scope: str,
    fingerprint: str,
    other_scopes: tuple[str, ...] = (),
    **create,
) -> tuple[CreatedComment, bool]:
    """``comment_create(**create)`` at most once per (scope, key); returns the created
    comment and whether this was a replay of an earlier request.

    The key is claimed first, in its own savepoint: of two racing requests the second
    insert waits on the unique constraint until the first transaction ends, then fails
    and answers with the first one's comment (on SQLite writers are serialised anyway).
    If creating fails, the claim rolls back with it, so a corrected retry can use the
    key. A replay is not rate limited: it creates nothing. ``other_scopes`` are where
    the same poster's earlier key may be (a guest whose first request came without the
    voter cookie was known by IP address then). Raises ``IdempotencyConflict`` when the
    key came with a different ``fingerprint``.
    """
    now = timezone.now()
    expired = now - timedelta(seconds=settings.COMMENTS_IDEMPOTENCY_TTL)
    keys = IdempotencyKey.objects.select_related("comment__article", "comment__user")
    keys.filter(scope=scope, key=idempotency_key, created_at__lt=expired).delete()
    earlier = keys.filter(
        scope__in=other_scopes, key=idempotency_key, created_at__gte=expired
    ).first()
    if earlier is None:
        try:
            with transaction.atomic():
                claim = IdempotencyKey.objects.create(
                    scope=scope, key=idempotency_key, fingerprint=fingerprint, created_at=now
                )
        except IntegrityError:
            earlier = keys.get(scope=scope, key=idempotency_key)
    if earlier is not None:
        if earlier.fingerprint != fingerprint:
            raise IdempotencyConflict(
                "This Idempotency-Key was already used for a different comment."
            ) from None
        comment = earlier.comment
        still_editable = comment.created_at + timedelta(seconds=settings.COMMENTS_EDIT_WINDOW)
        token = earlier.edit_token if earlier.edit_token and now < still_editable else None
        return CreatedComment(comment=comment, edit_token=token), True
    created = comment_create(**create)
    claim.comment = created.comment
    claim.edit_token = created.edit_token or ""
    claim.save(update_fields=["comment", "edit_token"])
    return created, False


def idempotency_keys_expire(*, now=None) -> int:
    """Forget keys older than ``COMMENTS_IDEMPOTENCY_TTL``, and guests' edit tokens
    kept for replays once the edit window is over. Returns how many keys went. Run
    periodically (``comments.tasks.expire_idempotency_keys``)."""
    now = now or timezone.now()
    IdempotencyKey.objects.filter(
        created_at__lt=now - timedelta(seconds=settings.COMMENTS_EDIT_WINDOW)
    ).exclude(edit_token="").update(edit_token="")
    deleted, _ = IdempotencyKey.objects.filter(
        created_at__lt=now - timedelta(seconds=settings.COMMENTS_IDEMPOTENCY_TTL)
    ).delete()
    return deleted


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
    _log(
        comment=locked,
        action=_ACTION_FOR_STATUS[status],
        actor=by,
        from_status=old,
        to_status=status,
        reason=reason,
    )
    approved = Comment.Status.APPROVED
    _bump_comment_count(locked.article_id, (status == approved) - (old == approved))
    if status == approved and old == Comment.Status.PENDING:
        _after_approval(locked)
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


def _validate_rating(article: Article, rating) -> int:
    if not article.ratings_enabled:
        raise ValidationError({"rating": ["Ratings are switched off for this article."]})
    try:
        return validate_stars(rating)
    except ValidationError:
        raise ValidationError({"rating": ["Choose from 1 to 5 stars."]}) from None


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
            _log(comment=comment, action=ModerationLog.Action.EDIT, actor=by)
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
    _after_hold(comment, flagged=True)
    return flag, True


def thread_subscribe(*, user, article: Article) -> ThreadSubscription:
    subscription, _ = ThreadSubscription.objects.get_or_create(user=user, article=article)
    return subscription


def thread_unsubscribe(*, user, article: Article) -> None:
    ThreadSubscription.objects.filter(user=user, article=article).delete()


# --- Bans ---------------------------------------------------------------------------
# Banning is kept apart from a comment's status: banning an author does not touch their
# comments (the admin's "ban author and mark spam" does both, explicitly).


@transaction.atomic
def ban_create(
    *,
    kind: str,
    by,
    user=None,
    email: str = "",
    domain: str = "",
    network: str = "",
    reason: str = "",
    expires_at=None,
    comment: Comment | None = None,
) -> Ban:
    """Ban a user, an email address, an email domain (with its subdomains) or an IP
    address/network, and write a BAN row to the audit log (``comment``: the comment the
    ban came from, if any). ``Ban.clean`` normalises the target; raises
    ``ValidationError`` for a missing or malformed one."""
    if kind not in Ban.Kind.values:
        raise ValidationError({"kind": [f"Choose one of: {', '.join(Ban.Kind.values)}."]})
    ban = Ban(
        kind=kind,
        user=user,
        email=email or "",
        domain=domain or "",
        network=network or "",
        reason=(reason or "")[:300],
        expires_at=expires_at,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    ban.full_clean()
    ban.save()
    _log(
        comment=comment,
        action=ModerationLog.Action.BAN,
        actor=by,
        reason=f"{ban}: {reason}" if reason else str(ban),
    )
    return ban


def _active_ban(**target) -> Ban | None:
    return Ban.objects.active().filter(**target).order_by("-created_at").first()


def ban_comment_author(*, comment: Comment, by, reason: str = "", expires_at=None) -> Ban:
    """Ban the comment's author: the account of a registered user, the email address of
    a guest. An active ban of the same author is returned as it is (a second click does
    not stack bans)."""
    if comment.user_id:
        target = {"kind": Ban.Kind.USER, "user_id": comment.user_id}
        fields = {"user": comment.user}
    elif comment.guest_email:
        email = normalize_email(comment.guest_email)
        target = {"kind": Ban.Kind.EMAIL, "email": email}
        fields = {"email": email}
    else:
        raise ValidationError({"comment": ["This comment's author is no longer known."]})
    existing = _active_ban(**target)
    if existing is not None:
        return existing
    return ban_create(
        kind=target["kind"],
        by=by,
        reason=reason,
        expires_at=expires_at,
        comment=comment,
        **fields,
    )


def ban_comment_ip(*, comment: Comment, by, reason: str = "", expires_at=None) -> Ban:
    """Ban the single address the comment came from (a /32 or /128 network). An active
    ban of exactly that network is returned as it is."""
    if not comment.ip_address:
        raise ValidationError({"comment": ["This comment has no IP address."]})
    network = str(ipaddress.ip_network(comment.ip_address))
    existing = _active_ban(kind=Ban.Kind.NETWORK, network=network)
    if existing is not None:
        return existing
    return ban_create(
        kind=Ban.Kind.NETWORK,
        by=by,
        network=network,
        reason=reason,
        expires_at=expires_at,
        comment=comment,
    )


# --- Attachments ------------------------------------------------------------------------
class TooManyAttachments(ValidationError):
    def __init__(self):
        cap = settings.COMMENTS_MAX_ATTACHMENTS
        super().__init__({"file": [f"A comment can have at most {cap} attachments."]})


class StorageUnavailable(Exception):
    """Writing an uploaded file to storage failed (disk full, S3 down): HTTP 503, and
    nothing of the comment or the attachment is kept."""

    message = "We could not store your file just now. Nothing was saved; please try again."

    def __init__(self):
        super().__init__(self.message)


def _store(prepared) -> tuple[str, str]:
    """Write the file (and thumbnail) to storage; returns their storage names. Raises
    ``StorageUnavailable`` with nothing left behind if either write fails."""
    from django.core.files.base import ContentFile

    from comments.models import _attachment_path, _thumbnail_path

    storage = Attachment._meta.get_field("file").storage
    name = thumb = ""
    try:
        name = storage.save(
            _attachment_path(None, f"f.{prepared.extension}"), ContentFile(prepared.data)
        )
        if prepared.thumbnail is not None:
            thumb = storage.save(
                _thumbnail_path(None, f"t.{prepared.thumbnail_extension}"),
                ContentFile(prepared.thumbnail),
            )
    # Any storage backend's failure (OSError locally, botocore's errors for S3).
    except Exception as exc:  # noqa: BLE001
        logger.exception("attachment storage failed")
        _discard_files(name)
        raise StorageUnavailable() from exc
    return name, thumb


def _discard_files(*names: str) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in filter(None, names):
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - cleanup must not hide the real error
            logger.exception("could not delete %s", name)


def _discard_after_commit(*names: str) -> None:
    transaction.on_commit(lambda: _discard_files(*names))


@transaction.atomic
def attachment_add(*, comment: Comment, prepared) -> Attachment:
    """Attach one prepared file (``comments.attachments.prepare``) to ``comment``.

    Takes the lowest free slot in 1..``COMMENTS_MAX_ATTACHMENTS``; the unique
    (comment, slot) constraint settles races, so concurrent uploads can never store
    more than the cap. Raises ``TooManyAttachments`` when every slot is taken. If
    anything fails, the files written to storage are removed again.
    """
    cap = settings.COMMENTS_MAX_ATTACHMENTS
    taken = set(Attachment.objects.filter(comment=comment).values_list("slot", flat=True))
    free = [slot for slot in range(1, cap + 1) if slot not in taken]
    if not free:
        raise TooManyAttachments()
    name, thumb = _store(prepared)
    try:
        for slot in free:
            try:
                with transaction.atomic():
                    return Attachment.objects.create(
                        comment=comment,
                        slot=slot,
                        kind=prepared.kind,
                        file=name,
                        thumbnail=thumb,
                        name=prepared.name,
                        content_type=prepared.content_type,
                        size=len(prepared.data),
                        width=prepared.width,
                        height=prepared.height,
                    )
            except IntegrityError:
                continue  # someone took this slot a moment ago: try the next one
        raise TooManyAttachments()
    except BaseException:
        _discard_files(name, thumb)
        raise


@transaction.atomic
def attachment_delete(*, attachment: Attachment) -> None:
    """Remove an attachment; its files go once the transaction has committed."""
    names = (attachment.file.name, attachment.thumbnail.name)
    attachment.delete()
    _discard_after_commit(*names)


def attachments_purge(*, comment: Comment) -> None:
    """Remove every attachment of a comment (it was deleted, rejected or spam)."""
    for attachment in list(Attachment.objects.filter(comment=comment)):
        attachment_delete(attachment=attachment)


# --- Outbox -------------------------------------------------------------------------------
# Emails after a change are written as OutboxMessage rows in the change's transaction;
# a task sends each one (queued on commit, and the periodic drain_outbox for those whose
# queueing failed or whose sending failed and waits for a retry).
OUTBOX_MAX_ATTEMPTS = 8


def _outbox_send(message: OutboxMessage) -> None:
    from comments import emails

    comment = (
        Comment.objects.select_related("article", "user", "reply_to", "reply_to__user")
        .filter(pk=message.comment_id)
        .first()
    )
    if comment is None:
        return
    if message.kind == OutboxMessage.Kind.COMMENT_PUBLISHED:
        emails.send_comment_notifications(comment)
    elif message.kind == OutboxMessage.Kind.COMMENT_FLAGGED:
        emails.send_flag_alert(comment)


def outbox_deliver(*, message_id: int) -> bool:
    """Send one outbox message unless it is sent already or another worker is sending
    it; returns whether this call sent it.

    The row is locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the
    conditional update takes the write lock) while the email goes out, and marked sent
    in the same transaction, so a row committed as sent is never sent again. The SMTP
    boundary is at-least-once: a worker killed after the mail server accepted the email
    but before the commit sends it again on the next try (a window of microseconds; the
    alternative, marking before sending, would lose the email instead).

    A failed send is recorded (``attempts``, ``last_error``) and retried by
    ``outbox_drain`` after an exponential pause, at most ``OUTBOX_MAX_ATTEMPTS`` times.
    """
    skip_locked = db_connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=skip_locked)
            .filter(pk=message_id, sent_at__isnull=True, attempts__lt=OUTBOX_MAX_ATTEMPTS)
            .first()
        )
        if message is None:
            return False
        now = timezone.now()
        claimed = OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True)
        if not claimed.filter(attempts=message.attempts).update(available_at=now):
            return False
        try:
            _outbox_send(message)
        except OSError as exc:  # smtplib.SMTPException and socket errors
            attempts = message.attempts + 1
            logger.warning("outbox: message %s failed (attempt %s): %s", message.pk, attempts, exc)
            claimed.update(
                attempts=attempts,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
                available_at=now + timedelta(seconds=min(60 * 2**attempts, 6 * 3600)),
            )
            return False
        claimed.update(sent_at=timezone.now(), attempts=F("attempts") + 1, last_error="")
        return True


def outbox_drain(*, limit: int = 500) -> int:
    """Send what is due in the outbox, oldest first; returns how many were sent."""
    due = (
        OutboxMessage.objects.filter(
            sent_at__isnull=True,
            available_at__lte=timezone.now(),
            attempts__lt=OUTBOX_MAX_ATTEMPTS,
        )
        .order_by("available_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(outbox_deliver(message_id=pk) for pk in list(due))


def outbox_retry(*, message_ids) -> int:
    """Make unsent messages due again with a fresh set of attempts (an operator's
    "retry now" after fixing the mail server); returns how many."""
    return OutboxMessage.objects.filter(pk__in=message_ids, sent_at__isnull=True).update(
        attempts=0, available_at=timezone.now(), last_error=""
    )
