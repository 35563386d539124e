"""Moderators' decisions on comments (what they decide from — the queues, their counts
and an author's history — is ``comments.queues``).

Every decision, whichever screen it comes from (the desk, its bulk bar, the API, the
admin), goes through ``comment_decide``: one place that checks the moderator, refuses
a decision taken on a stale view (``version``), writes the audit log with the screen
and moves ``Comment.version``. Status changes themselves stay in
``services.comment_set_status`` (counters, emails, flags), which this calls.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    F,
)
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.versions import article_changed
from comments import services
from comments.models import (
    Comment,
    CommentFlag,
    CommentRevision,
    ModerationLog,
)

ACTIONS = ("approve", "reject", "spam", "restore", "feature", "unfeature")

Status = Comment.Status
Action = ModerationLog.Action
_STATUS_FOR = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.SPAM}
# Log rows a moderator may undo (the actions of ``comment_decide``).
_UNDOABLE = (
    Action.APPROVE,
    Action.REJECT,
    Action.SPAM,
    Action.RESTORE,
    Action.FEATURE,
    Action.UNFEATURE,
)
# "Already ... by X 2 minutes ago.": one whole sentence per action (translators get
# sentences, not pieces).
_ALREADY = {
    Action.APPROVE: gettext_lazy("Already approved by %(who)s %(ago)s ago."),
    Action.REJECT: gettext_lazy("Already rejected by %(who)s %(ago)s ago."),
    Action.SPAM: gettext_lazy("Already marked as spam by %(who)s %(ago)s ago."),
    Action.DELETE: gettext_lazy("Already deleted by %(who)s %(ago)s ago."),
    Action.PENDING: gettext_lazy("Already sent back to review by %(who)s %(ago)s ago."),
    Action.HELD: gettext_lazy("Already held by %(who)s %(ago)s ago."),
    Action.RESTORE: gettext_lazy("Already restored by %(who)s %(ago)s ago."),
    Action.FEATURE: gettext_lazy("Already featured by %(who)s %(ago)s ago."),
    Action.UNFEATURE: gettext_lazy("Already taken out of the picks by %(who)s %(ago)s ago."),
    Action.UNDO: gettext_lazy("A decision was already undone by %(who)s %(ago)s ago."),
    Action.EDIT: gettext_lazy("Already edited by %(who)s %(ago)s ago."),
}
_CHANGED = gettext_lazy("Changed by %(who)s %(ago)s ago.")
RULES_NAME = "the rules"


class DecisionConflict(Exception):
    """Someone else decided this comment since the version the caller saw.

    ``comment``: the comment as it is now; ``by_name``: who changed it last (the audit
    log's ``actor_name``, or "the rules"); ``action``: what they did (a log action, or
    "edit" for an edit); ``at``: when."""

    def __init__(self, *, comment, by_name: str, action: str, at):
        self.comment, self.by_name, self.action, self.at = comment, by_name, action, at
        template = _ALREADY.get(action, _CHANGED)
        ago = timesince(at, timezone.now()).replace("\xa0", " ")
        super().__init__(str(template) % {"who": by_name, "ago": ago})


# --- Deciding -------------------------------------------------------------------------------
def comment_decide(
    *,
    comment: Comment,
    action: str,
    by,
    reason: str = "",
    version: int | None = None,
    screen: str = ModerationLog.Screen.API,
) -> Comment:
    """A moderator's decision on one comment: approve, reject, spam, restore (back to
    its status before the last decision), feature or unfeature. Returns the comment as
    it is now.

    ``version``: the ``Comment.version`` the moderator saw; if it moved since (someone
    decided or edited), ``DecisionConflict`` and nothing changes, so two moderators
    never both decide blindly. The same decision twice is a no-op (no log row, no new
    version). Raises ``PermissionDenied`` for non-moderators, ``ValidationError`` for
    an unknown action or one that does not apply."""
    return _decide(
        comment=comment, action=action, by=by, reason=reason, version=version, screen=screen
    )[0]


@transaction.atomic
def _decide(*, comment, action, by, reason, version, screen) -> tuple[Comment, bool]:
    """``comment_decide``, also saying whether anything changed (the bulk result)."""
    _require_moderator(by)
    _check_action(action)
    # The row lock orders concurrent deciders: the second reads the first's version.
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if version is not None and version != locked.version:
        raise _conflict(locked)
    reason = (reason or "").strip()[:300]
    if action in _STATUS_FOR:
        changed = _set_status(
            locked, status=_STATUS_FOR[action], by=by, reason=reason, screen=screen
        )
    elif action == "restore":
        changed = _restore(locked, by=by, reason=reason, screen=screen)
    else:
        changed = _feature(locked, on=action == "feature", by=by, reason=reason, screen=screen)
    if changed:
        _bump(locked)
    return Comment.objects.get(pk=locked.pk), changed


def _require_moderator(by) -> None:
    if not services.can_moderate(by):
        raise PermissionDenied(_("Only moderators can decide on comments."))


def _check_action(action) -> None:
    if action not in ACTIONS:
        raise ValidationError({"action": [_("Choose one of: %s.") % ", ".join(ACTIONS)]})


def _bump(comment: Comment) -> None:
    """A decision moved the comment: its version (in this transaction) and its
    article's page cache (once the transaction commits)."""
    Comment.objects.filter(pk=comment.pk).update(version=F("version") + 1)
    article_changed(comment.article_id)


def _set_status(locked, *, status, by, reason, screen, action="") -> bool:
    """Move the status through ``comment_set_status`` (it logs); False when there is
    nothing to do. Approving an approved comment with flags still dismisses them."""
    if locked.status == status:
        dismissing = status == Status.APPROVED and (
            CommentFlag.objects.filter(comment=locked, cleared_at__isnull=True).exists()
        )
        if not dismissing:
            return False
    services.comment_set_status(
        comment=locked, status=status, by=by, reason=reason, screen=screen, action=action
    )
    return True


def _restore(locked, *, by, reason, screen) -> bool:
    """Back to the status before the last status change in the audit log (an un-reject
    sends a comment back to pending, or to approved, as it was)."""
    last = (
        ModerationLog.objects.filter(comment=locked)
        .exclude(from_status="")
        .exclude(to_status="")
        .exclude(from_status=F("to_status"))
        .order_by("-created_at", "-id")
        .first()
    )
    if last is None or last.to_status != locked.status:
        raise ValidationError({"action": [_("Nothing to restore: no earlier decision.")]})
    reason = reason or _("Back to %(status)s, as before: %(decision)s.") % {
        "status": last.from_status,
        "decision": last.get_action_display(),
    }
    return _set_status(
        locked, status=last.from_status, by=by, reason=reason, screen=screen, action=Action.RESTORE
    )


def _feature(locked, *, on: bool, by, reason, screen, action="") -> bool:
    """Put a published comment among the article's picks, or take it out."""
    if locked.is_featured == on:
        return False
    if on and locked.status != Status.APPROVED:
        raise ValidationError({"action": [_("Only published comments can be featured.")]})
    Comment.objects.filter(pk=locked.pk).update(
        is_featured=on, featured_at=timezone.now() if on else None
    )
    services.log_action(
        comment=locked,
        action=action or (Action.FEATURE if on else Action.UNFEATURE),
        actor=by,
        reason=reason,
        screen=screen,
    )
    return True


def _conflict(locked: Comment) -> DecisionConflict:
    """Who changed the comment last: the audit log's latest row or the latest edit
    (``CommentRevision``), whichever is newer."""
    row = ModerationLog.objects.filter(comment=locked).order_by("-created_at", "-id").first()
    revision = CommentRevision.objects.filter(comment=locked).order_by("-created_at", "-pk").first()
    if revision is not None and (row is None or revision.created_at > row.created_at):
        name = revision.editor_name or locked.author_name
        return DecisionConflict(
            comment=locked, by_name=name, action=Action.EDIT, at=revision.created_at
        )
    if row is None:
        at = locked.edited_at or locked.created_at
        return DecisionConflict(comment=locked, by_name=RULES_NAME, action="", at=at)
    name = row.actor_name or RULES_NAME
    return DecisionConflict(comment=locked, by_name=name, action=row.action, at=row.created_at)


def comments_decide(
    *,
    comment_ids: list[int],
    action: str,
    by,
    reason: str = "",
    screen: str = ModerationLog.Screen.BULK,
) -> dict:
    """The same decision on many comments (the desk's bulk bar), each in its own
    transaction: one that cannot be decided (featuring a held comment, an unknown id)
    does not stop the others. Returns ``{"decided": [ids], "unchanged": [ids],
    "failed": {id: message}}``."""
    _require_moderator(by)
    _check_action(action)
    result = {"decided": [], "unchanged": [], "failed": {}}
    ids = list(dict.fromkeys(comment_ids))
    found = Comment.objects.in_bulk(ids)
    for pk in ids:
        if pk not in found:
            result["failed"][pk] = _("No such comment.")
            continue
        try:
            _decided, changed = _decide(
                comment=found[pk], action=action, by=by, reason=reason, version=None, screen=screen
            )
        except (ValidationError, Comment.DoesNotExist) as error:
            messages = getattr(error, "messages", None) or [_("No such comment.")]
            result["failed"][pk] = " ".join(messages)
            continue
        result["decided" if changed else "unchanged"].append(pk)
    return result


@transaction.atomic
def decision_undo(*, comment: Comment, by, screen: str = ModerationLog.Screen.DESK) -> Comment:
    """Undo this moderator's last decision on this comment, if it is at most
    ``COMMENTS_UNDO_SECONDS`` old and nobody acted on the comment after it (the
    comment's latest audit row must be that decision). Writes an UNDO row; the status
    and the featured mark go back to what they were.

    Not undone: emails a publication already queued, and flags an approval dismissed
    (undoing a bare flag dismissal is refused)."""
    _require_moderator(by)
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    last = ModerationLog.objects.filter(comment=locked).order_by("-created_at", "-id").first()
    window = timedelta(seconds=settings.COMMENTS_UNDO_SECONDS)
    if (
        last is None
        or last.actor_id != by.pk
        or last.action not in _UNDOABLE
        or last.created_at < timezone.now() - window
    ):
        raise ValidationError({"detail": [_("Too late to undo.")]})
    reason = _("Undid: %(decision)s.") % {"decision": last.get_action_display()}
    if last.action in (Action.FEATURE, Action.UNFEATURE):
        on = last.action == Action.UNFEATURE
        _feature(locked, on=on, by=by, reason=reason, screen=screen, action=Action.UNDO)
    elif last.from_status and last.from_status != last.to_status:
        _set_status(
            locked, status=last.from_status, by=by, reason=reason, screen=screen, action=Action.UNDO
        )
    else:
        raise ValidationError({"detail": [_("Dismissed flags cannot be brought back.")]})
    _bump(locked)
    return Comment.objects.get(pk=locked.pk)
