"""Workflows that change a comment after it is posted: its status (with the audit log
and the article's count), edits, likes, flags and following a thread. Pages, the API,
the admin and commands all call these, so each rule is written once.

Posting lives in ``comments.posting``, files in ``comments.attachments``, bans in
``comments.bans``, rate limits in ``comments.rate_limits`` and the email outbox in
``comments.outbox``."""

from collections import Counter

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import ratelimit
from articles.compiled import CompiledUpdate
from articles.models import Article
from articles.versions import article_moved, version_moves
from articles.voters import user_voter_key
from comments import moderation, signals
from comments.attachments import attachments_purge
from comments.location import clean_location
from comments.models import (
    Comment,
    CommentFlag,
    CommentLike,
    CommentRevision,
    ModerationLog,
    OutboxMessage,
    ThreadSubscription,
)
from comments.outbox import enqueue, outbox_add
from comments.rate_limits import rate_limit


def normalize_email(email: str) -> str:
    """A guest's address as stored and mailed: trimmed and lower-cased, tag and dots
    kept (elsewhere than Gmail they may name another mailbox). Bans and rate limits
    compare ``ratelimit.canonical_email`` instead, so variants cannot walk around them."""
    return (email or "").strip().lower()


def can_moderate(user) -> bool:
    """Moderators (and editors) approve, edit and delete any comment: the one check for
    it, whatever asks (pages, API, admin, desk).

    Django's ``has_perm`` loads all of a user's permissions in two queries (their own
    and their groups'); a signed-in reader's every page asks this once, so the answer
    is one query for this one permission, kept on the user object for the request. It
    is what ``ModelBackend`` (and allauth's, which extends it) would answer: active
    superusers have every permission, inactive users none."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if hasattr(user, "_perm_cache"):  # loaded already: no query
        return user.has_perm(MODERATE_PERMISSION)
    known = getattr(user, "_comments_can_moderate", None)
    if known is None:
        app_label, codename = MODERATE_PERMISSION.split(".")
        known = (
            Permission.objects.filter(codename=codename, content_type__app_label=app_label)
            .filter(Q(user=user) | Q(group__user=user))
            .exists()
        )
        user._comments_can_moderate = known
    return known


MODERATE_PERMISSION = "comments.moderate_comment"


# Every published comment runs it: compiled once (``articles.compiled``).
_COUNT_MOVES = CompiledUpdate(
    Article,
    lambda *, pk, delta, now: (
        Article.objects.filter(pk=pk),
        {"comment_count": F("comment_count") + delta, **version_moves(now=now)},
    ),
    pk="id",
    delta="comment_count",
    now="engagement_changed_at",
)


def bump_comment_count(article_id: int, delta: int) -> None:
    """Keep the article's count of published comments in the caller's transaction; the
    same UPDATE moves the article's version (``articles.versions.article_moved``)."""
    if delta:
        _COUNT_MOVES.update(pk=article_id, delta=delta, now=timezone.now())
        article_moved(article_id)


def after_approval(comment: Comment, *, new: bool = False) -> None:
    """A comment was published: repliers and followers hear of it (once). ``new``: it
    was created in this transaction, so it cannot have been announced before."""
    outbox_add(kind=OutboxMessage.Kind.COMMENT_PUBLISHED, comment=comment, new=new)


def after_hold(comment: Comment, *, flagged: bool = False) -> None:
    """Tell moderators something waits: a held comment in the pending digest, a new
    flag in the flag digest. Both are batched: at most one email of each kind per
    ``COMMENTS_MODERATOR_EMAIL_INTERVAL``, the periodic digest sending the rest, so a
    burst of flags is one email, not one per flag."""
    from comments import tasks

    if flagged:
        # No outbox row: the flags not yet emailed (``CommentFlag.notified_at`` null)
        # are the outbox, and the digest lists them all.
        transaction.on_commit(lambda: enqueue(tasks.notify_moderators_flagged))
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


def log_action(*, comment, action, actor=None, from_status="", to_status="", reason="", screen=""):
    """Write one row of the audit log (``actor``: the moderator; None for the rules).
    The row keeps the moderator's name too: it must still say who decided once the
    account is deleted (the foreign key is then set null). ``screen``: where the
    decision was taken (``ModerationLog.Screen``), empty when not known."""
    actor = actor if actor is not None and actor.is_authenticated else None
    return ModerationLog.objects.create(
        comment=comment,
        action=action,
        actor=actor,
        actor_name=ModerationLog.name_of(actor),
        from_status=from_status,
        to_status=to_status,
        reason=reason[:300],
        screen=screen,
    )


@transaction.atomic
def comment_set_status(
    *, comment: Comment, status: str, by=None, reason: str = "", screen: str = "", action: str = ""
) -> Comment:
    """Move a comment to ``status``, keep the article's approved count in step and
    write the audit log (``by`` is the moderator; None for the rules). A deleted
    comment's attachments go, their files once the transaction commits.

    A moderator's approval (``by`` may moderate) also clears the comment's flags
    (``flags_clear``): readers' flags so far have been judged, and only a fresh
    ``COMMENTS_FLAG_THRESHOLD`` of new flaggers sends it back to review. Approving a
    published comment does only that.

    Locks the comment row so two moderators acting at once count it once.
    ``screen`` and ``action`` go to the audit row (``action``: a restore or an undo
    logs as such; empty logs the status's own action).
    """
    if status not in Comment.Status.values:
        raise ValidationError({"status": [f"Choose one of: {', '.join(Comment.Status.values)}."]})
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    old = locked.status
    if status == Comment.Status.APPROVED and can_moderate(by):
        cleared = flags_clear(comment=locked)
        comment.flag_count = locked.flag_count
        if cleared and old == status:
            log_action(
                comment=locked,
                action=ModerationLog.Action.APPROVE,
                actor=by,
                from_status=old,
                to_status=status,
                reason=reason or f"{cleared} flag(s) dismissed",
                screen=screen,
            )
    if old == status:
        return locked
    locked.status = status
    locked.save(update_fields=["status"])
    log_action(
        comment=locked,
        action=action or _ACTION_FOR_STATUS[status],
        actor=by,
        from_status=old,
        to_status=status,
        reason=reason,
        screen=screen,
    )
    if status == Comment.Status.DELETED:
        # Whoever deletes (a moderator's action, the API, the author), the files go too.
        attachments_purge(comment=locked)
    approved = Comment.Status.APPROVED
    bump_comment_count(locked.article_id, (status == approved) - (old == approved))
    if status == approved and old == Comment.Status.PENDING:
        after_approval(locked)
    comment.status = status
    signals.comment_status_changed.send(sender=Comment, comment=locked, old=old, new=status)
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
def comment_edit(
    *, comment: Comment, body: str | None = None, by=None, location=KEEP, screen: str = ""
) -> Comment:
    """Change a comment's text and/or location (``KEEP`` leaves the location as is).

    New text from anyone but a moderator is judged again by the posting rules
    (``_moderate_edit``): an approved comment edited into spam must not stay public.
    ``by`` is who edits (None for a guest author). A real change is kept as a
    ``CommentRevision`` (moderators see what the words were), moves ``version`` (a
    moderator deciding on what they saw is told it changed), and a moderator's change
    of someone else's comment is logged (from ``screen``, ``ModerationLog.Screen``) and
    shown publicly ("edited by a moderator"). Nothing changed, nothing written. Locks
    the comment's row: two edits at once each keep the text they replaced.
    """
    if body is not None and not body.strip():
        raise ValidationError({"body": [_("Write something before posting.")]})
    stored = Comment.objects.select_for_update().only(*_CONTENT_FIELDS).get(pk=comment.pk)
    changed = []
    if location is not KEEP:
        # None removes the location; a dict replaces it (cleaned and coarsened again).
        fields = clean_location(location).as_fields()
        if any(getattr(stored, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(comment, name, value)
            changed += list(fields)
    body_changed = body is not None and body != stored.body
    if body_changed:
        comment.set_body(body)
        comment.full_clean(exclude=["path", "body_html", "edit_token_hash", "parent", "reply_to"])
        changed += ["body", "body_html"]
    if changed:
        _record_edit(comment, stored=stored, fields=changed, by=by, screen=screen)
    if body_changed and not can_moderate(by):
        _moderate_edit(comment)
    return comment


# What an edit may change, and what its revision keeps of it (with the version it moves).
_CONTENT_FIELDS = ("body", "location_name", "latitude", "longitude", "location_precise", "version")


def _place(comment: Comment) -> dict:
    """A revision's location: ``{name, latitude, longitude, precise}``, or {} for none."""
    if not comment.location_name and comment.latitude is None:
        return {}
    return {
        "name": comment.location_name,
        "latitude": float(comment.latitude) if comment.latitude is not None else None,
        "longitude": float(comment.longitude) if comment.longitude is not None else None,
        "precise": comment.location_precise,
    }


def _record_edit(comment: Comment, *, stored: Comment, fields: list[str], by, screen) -> None:
    """Save the changed ``fields`` with the edit's time and the next version (F(): the
    row is locked, so ``stored.version + 1`` is what it becomes), and keep the
    revision. ``by_moderator``: a moderator changed someone else's comment (their own
    is an author's edit)."""
    editor = by if by is not None and by.is_authenticated else None
    by_moderator = editor is not None and editor.pk != comment.user_id and can_moderate(editor)
    comment.edited_at = timezone.now()
    comment.version = F("version") + 1
    update = [*fields, "edited_at", "version"]
    if by_moderator:
        comment.edited_by_moderator = True
        update.append("edited_by_moderator")
    comment.save(update_fields=update)
    comment.version = stored.version + 1
    CommentRevision.objects.create(
        comment=comment,
        created_at=comment.edited_at,
        editor=editor,
        editor_name=ModerationLog.name_of(editor) if editor else comment.author_name[:200],
        by_moderator=by_moderator,
        old_body=stored.body,
        new_body=comment.body if "body" in fields else stored.body,
        old_location=_place(stored),
        new_location=_place(comment if "location_name" in fields else stored),
    )
    if by_moderator:
        what = " and ".join(
            part
            for part, field in (("text", "body"), ("location", "location_name"))
            if field in fields
        )
        log_action(
            comment=comment,
            action=ModerationLog.Action.EDIT,
            actor=editor,
            reason=what,
            screen=screen,
        )


def _moderate_edit(comment: Comment) -> None:
    """Run the posting decision (``moderation.comment_moderate``) on an author's new
    text; if it would hold the comment, it goes back to review.

    Which rules apply to an edit:
    - the content rules (blocked words, links, the spam check hook) all do: the text
      is new and nobody has read it;
    - the honeypot and the minimum fill time do not: they judge how a new-comment form
      was sent, and an edit is made by its proven author (account or edit token), not
      by a drive-by form post;
    - the policy does, with the author's standing as at posting: the "first-time guest"
      hold passes because this very comment, once approved, proves the guest (their
      edit token proved authorship); "guests" and "all" hold what they always hold, so
      an untrusted author cannot swap reviewed text for unreviewed text.

    A comment that would be spam or rejected goes back to review (pending) all the
    same: a moderator approved it once, and decides again. A comment that already
    waits keeps waiting, with the new reasons added for the moderator. Nothing is
    published by an edit.
    """
    if comment.status not in (Comment.Status.APPROVED, Comment.Status.PENDING):
        return
    decision = moderation.comment_moderate(
        article=comment.article,
        body=comment.body,
        user=comment.user,
        guest_email=comment.guest_email,
        proven_ids=(comment.pk,),
        context={"edited_comment": comment.pk, "ip_address": comment.ip_address},
    )
    if decision.status == Comment.Status.APPROVED:
        return
    # Read again under the row lock: a moderator may have acted on it meanwhile.
    locked = Comment.objects.select_for_update().values_list("status", flat=True)
    comment.status = locked.get(pk=comment.pk)
    if comment.status not in (Comment.Status.APPROVED, Comment.Status.PENDING):
        return
    was_approved = comment.status == Comment.Status.APPROVED
    old = [] if was_approved else comment.moderation_reasons
    comment.moderation_reasons = [*old, *(r for r in decision.reasons if r not in old)]
    comment.save(update_fields=["moderation_reasons"])
    if was_approved:
        reasons = "; ".join(moderation.describe(r) for r in decision.reasons)
        comment_set_status(
            comment=comment, status=Comment.Status.PENDING, reason=f"Edited: {reasons}"
        )
        after_hold(comment)


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
        raise ValidationError({"comment": [_("This comment is not published.")]})


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
    removed, _rows = CommentLike.objects.filter(comment=comment, voter=voter).delete()
    if removed:
        Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") - removed)
    comment.refresh_from_db(fields=["like_count"])
    return comment.like_count, False


# --- Flags -------------------------------------------------------------------------------
# A flag counts towards COMMENTS_FLAG_THRESHOLD once per *flagger*: what one person
# cannot mint for free. An account is one; a guest is their network, since a guest is
# otherwise only a cookie, and a request without one is a new voter every time.
# Guests whose address is not known are all one flagger: nothing tells one such guest
# from a thousand, so together they count at most once per comment. A reader cannot
# choose to be one (REMOTE_ADDR is the peer's address, and newsite.proxy keeps it when
# X-Forwarded-For holds no address); it is what calls without a request are (scripts,
# tests) and what every guest would be behind a proxy that passes no address, where
# guests then weigh one flag in all, never one each.
UNKNOWN_FLAGGER = "n:unknown"


def flag_network(ip_address) -> str | None:
    """The network a guest flags from (``articles.ratelimit.guest_network``)."""
    return ratelimit.guest_network(ip_address)


def flagger_key(*, user=None, ip_address=None) -> str:
    """Whom a flag counts as: ``u:<id>`` for an account, ``n:<network>`` for a guest
    (``flag_network``), ``UNKNOWN_FLAGGER`` for a guest without an address."""
    if user is not None and user.is_authenticated:
        return user_voter_key(user)
    network = flag_network(ip_address)
    return f"n:{network}" if network else UNKNOWN_FLAGGER


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
    """Flag a published comment for moderators; returns the flag and whether it is
    new (the API's ``201``, else ``200``).

    One flag per voter: flagging again returns their first one. One flag per flagger
    (``flagger_key``: the account, or the guest's network): another guest on a network
    that has flagged this comment is answered as if they had (an unsaved flag with
    their reason, ``False``) and adds nothing, however many cookies they clear. Both
    rules are unique constraints, so concurrent flags settle in the database.

    Only a new flagger's flag moves ``flag_count``, and ``COMMENTS_FLAG_THRESHOLD`` of
    them send the comment back to review. A moderator's approval clears the count
    (``comment_set_status``), and a flagger counts once per comment for good, so
    hiding it again takes as many flaggers who have not flagged it before. Moderators
    hear of new flags in a batched digest (``after_hold``)."""
    _require_public(comment)
    rate_limit("flag", settings.FLAGS_RATE_LIMIT, ip_address=ip_address, voter=voter)
    if reason not in CommentFlag.Reason.values:
        raise ValidationError(
            {"reason": [f"Choose one of: {', '.join(CommentFlag.Reason.values)}."]}
        )
    user = user if user is not None and user.is_authenticated else None
    flagger = flagger_key(user=user, ip_address=ip_address)
    note = (note or "")[:500]
    try:
        with transaction.atomic():
            flag = CommentFlag.objects.create(
                comment=comment,
                voter=voter,
                flagger=flagger,
                counts=True,
                reason=reason,
                note=note,
                user=user,
                ip_address=ip_address,
            )
    except IntegrityError:
        # The row that won is committed by now (PostgreSQL makes a conflicting insert
        # wait for the other transaction; SQLite has one writer at a time).
        mine = CommentFlag.objects.filter(comment=comment, voter=voter).first()
        if mine is not None:
            return mine, False
        if not CommentFlag.objects.filter(comment=comment, flagger=flagger).exists():
            raise
        # Another voter of this flagger's: nothing of theirs (not even their reason)
        # is shown to this one.
        return CommentFlag(comment=comment, voter=voter, flagger=flagger, reason=reason), False
    # A new flagger's first flag: it counts.
    Comment.objects.filter(pk=comment.pk).update(flag_count=F("flag_count") + 1)
    comment.refresh_from_db(fields=["flag_count", "status", "moderation_reasons"])
    threshold = settings.COMMENTS_FLAG_THRESHOLD
    if comment.flag_count >= threshold and comment.status == Comment.Status.APPROVED:
        if "flagged" not in comment.moderation_reasons:
            comment.moderation_reasons = [*comment.moderation_reasons, "flagged"]
            comment.save(update_fields=["moderation_reasons"])
        comment_set_status(
            comment=comment,
            status=Comment.Status.PENDING,
            reason=f"{comment.flag_count} flags from distinct readers",
        )
    after_hold(comment, flagged=True)
    signals.comment_flagged.send(sender=Comment, comment=comment, flag=flag)
    return flag, True


def flags_clear(*, comment: Comment) -> int:
    """Clear the comment's flags (a moderator approved it): they stay for the record,
    marked ``cleared_at``, and count no more; ``flag_count`` starts again at 0. The
    caller holds the comment's row lock (``comment_set_status``). Returns how many."""
    cleared = CommentFlag.objects.filter(comment=comment, cleared_at__isnull=True).update(
        cleared_at=timezone.now()
    )
    if comment.flag_count:
        Comment.objects.filter(pk=comment.pk).update(flag_count=0)
        comment.flag_count = 0
    return cleared


@transaction.atomic
def flags_remove(*, flags) -> int:
    """Delete these flags (a deleted account's) and take those that still count off
    their comments' ``flag_count`` with F(). Returns how many were deleted.

    The comments are locked first, in one order, as ``comment_set_status`` locks a
    comment before its flags: an approval clearing them at the same moment waits or
    is waited for, never deadlocks, and the count stays equal to the flags counted."""
    comment_ids = sorted(set(flags.values_list("comment_id", flat=True)))
    locked = Comment.objects.select_for_update().filter(pk__in=comment_ids).order_by("pk")
    list(locked.values_list("pk", flat=True))
    rows = list(flags.values_list("pk", "comment_id", "counts", "cleared_at"))
    CommentFlag.objects.filter(pk__in=[pk for pk, *_rest in rows]).delete()
    per_comment = Counter(
        comment_id for _pk, comment_id, counts, cleared_at in rows if counts and cleared_at is None
    )
    for times in set(per_comment.values()):
        ids = [comment_id for comment_id, n in per_comment.items() if n == times]
        Comment.objects.filter(pk__in=ids).update(flag_count=F("flag_count") - times)
    return len(rows)


def thread_subscribe(*, user, article: Article) -> ThreadSubscription:
    subscription, _created = ThreadSubscription.objects.get_or_create(user=user, article=article)
    _follow_changed(user, article)
    return subscription


def thread_unsubscribe(*, user, article: Article) -> None:
    ThreadSubscription.objects.filter(user=user, article=article).delete()
    _follow_changed(user, article)


def _follow_changed(user, article: Article) -> None:
    """Their page shows whether they follow: what the read side kept of their standing
    on the article (``comments.readers.reader_state``) goes, now and after commit."""
    key = reader_state_key(user.pk, article.pk)
    _forget(key)
    transaction.on_commit(lambda: _forget(key))


def reader_state_key(user_id: int, article_id: int) -> str:
    return f"comments:reader:{user_id}:{article_id}"


def _forget(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001, S110 - it expires by itself soon
        pass
