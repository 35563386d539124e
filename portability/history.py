"""What happened to exported comments besides their words: readers' flags, the edit
history and the moderation record (who approved, rejected, held, edited, featured).

Exported as ``flag``, ``revision`` and ``moderation`` lines (format version 3) after a
comment's likes and attachments; restored once the comments are, each once however
often the file is restored: a flag is one per voter (the table's own rule), an edit or a
decision is known by its comment, time and kind. Accounts are named by username and
found again by it; a moderator or editor with no account here keeps their name, as the
log keeps a deleted account's. A guest flag's network (``n:…``, made from their
address) and address travel only with ``--personal-data``; without them it is restored
as a flag that no longer holds its network's place.
"""

from collections import Counter
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.db.models import F, Q

from comments.models import Comment, CommentFlag, CommentRevision, ModerationLog
from portability.article_records import iso
from portability.importing import Report
from portability.lines import CHUNK, chunks, json_line, keep_time, parse_time, reader_id, username
from portability.restoring import imported_comments

KINDS = ("flag", "revision", "moderation")


# --- Export --------------------------------------------------------------------------------
def history_lines(comments, *, personal: bool) -> Iterator[str]:
    """The flag, revision and moderation lines of ``comments`` (a queryset of the
    exported ones), oldest first within each kind."""
    ids = comments.values("pk")
    flags = CommentFlag.objects.filter(comment__in=ids).select_related("user")
    for flag in flags.order_by("pk").iterator(chunk_size=CHUNK):
        yield json_line(_flag(flag, personal))
    revisions = CommentRevision.objects.filter(comment__in=ids).select_related("editor")
    for revision in revisions.order_by("pk").iterator(chunk_size=CHUNK):
        yield json_line(_revision(revision))
    records = ModerationLog.objects.filter(comment__in=ids).select_related("actor")
    for record in records.order_by("pk").iterator(chunk_size=CHUNK):
        yield json_line(_moderation(record))


def _flag(flag: CommentFlag, personal: bool) -> dict:
    reader = reader_id(flag.voter) is not None
    network = flag.flagger.startswith("n:")
    row = {
        "type": "flag",
        "comment": flag.comment_id,
        "reason": flag.reason,
        "note": flag.note,
        "created_at": iso(flag.created_at),
        "cleared_at": iso(flag.cleared_at),
        "notified_at": iso(flag.notified_at),
        "counts": flag.counts,
        "user": username(flag.user),
        # A reader's keys hold their account's id here: made anew from ``user``.
        "voter": None if reader else flag.voter,
        "flagger": flag.flagger if network and personal else None,
    }
    if personal:
        row["ip_address"] = flag.ip_address
    return row


def _revision(revision: CommentRevision) -> dict:
    return {
        "type": "revision",
        "comment": revision.comment_id,
        "created_at": iso(revision.created_at),
        "editor": username(revision.editor),
        "editor_name": revision.editor_name,
        "by_moderator": revision.by_moderator,
        "old_body": revision.old_body,
        "new_body": revision.new_body,
        "old_location": revision.old_location,
        "new_location": revision.new_location,
    }


def _moderation(record: ModerationLog) -> dict:
    return {
        "type": "moderation",
        "comment": record.comment_id,
        "created_at": iso(record.created_at),
        "actor": username(record.actor),
        "actor_name": record.actor_name,
        "screen": record.screen,
        "action": record.action,
        "from_status": record.from_status,
        "to_status": record.to_status,
        "reason": record.reason,
    }


# --- Restore -------------------------------------------------------------------------------
def history_restore(
    *, rows: Iterable[dict], source: str, users: dict[str, int], report: Report
) -> None:
    """Write the history lines of restored comments, each once. A flag that counted
    and was not cleared moves its comment's ``flag_count``, as ``comment_flag`` does, so
    the desk's "Flagged" queue finds it again."""
    for chunk in chunks(rows):
        comments = imported_comments(source, {row["comment"] for row in chunk})
        flagged = Counter()
        with transaction.atomic():
            for row in chunk:
                comment = comments.get(str(row["comment"]))
                when = parse_time(row.get("created_at"))
                if comment is None:
                    report.skip(f"{row['type']} of an unknown comment")
                elif when is None:
                    report.skip(f"{row['type']} without a readable time")
                elif row["type"] == "flag":
                    flagged[comment.pk] += _flag_restore(row, comment, when, users, report)
                elif row["type"] == "revision":
                    _revision_restore(row, comment, when, users, report)
                else:
                    _moderation_restore(row, comment, when, users, report)
            for pk, count in flagged.items():
                if count:
                    Comment.objects.filter(pk=pk).update(flag_count=F("flag_count") + count)


def _account(username: str | None, users: dict[str, int]) -> int | None:
    return users.get(username) if username else None


def _flag_restore(row, comment, when, users, report) -> int:
    """Returns 1 when the restored flag holds its comment's ``flag_count``."""
    user_id = _account(row.get("user"), users)
    if row.get("user") and user_id is None:
        report.skip("flag of an unknown reader")
        return 0
    voter = f"u:{user_id}" if user_id else row.get("voter")
    if not voter:
        report.skip("flag without a voter")
        return 0
    flagger = f"u:{user_id}" if user_id else row.get("flagger") or ""
    taken = Q(voter=voter) | Q(flagger=flagger) if flagger else Q(voter=voter)
    if CommentFlag.objects.filter(taken, comment=comment).exists():
        return 0  # restored before (or that reader's flag is there already)
    cleared = parse_time(row.get("cleared_at"))
    flag = CommentFlag.objects.create(
        comment=comment,
        voter=voter,
        flagger=flagger,
        user_id=user_id,
        reason=row.get("reason") or CommentFlag.Reason.OTHER,
        note=(row.get("note") or "")[:500],
        ip_address=row.get("ip_address") or None,
        counts=bool(row.get("counts")),
        cleared_at=cleared,
        notified_at=parse_time(row.get("notified_at")),
    )
    keep_time(CommentFlag, flag.pk, "created_at", row.get("created_at"))
    report.restored["flags"] += 1
    return int(bool(row.get("counts")) and cleared is None)


def _revision_restore(row, comment, when, users, report) -> None:
    if CommentRevision.objects.filter(comment=comment, created_at=when).exists():
        return
    CommentRevision.objects.create(
        comment=comment,
        created_at=when,
        editor_id=_account(row.get("editor"), users),
        editor_name=(row.get("editor_name") or "")[:200],
        by_moderator=bool(row.get("by_moderator")),
        old_body=row.get("old_body") or "",
        new_body=row.get("new_body") or "",
        old_location=row.get("old_location") or {},
        new_location=row.get("new_location") or {},
    )
    report.restored["edits"] += 1


def _moderation_restore(row, comment, when, users, report) -> None:
    action = row.get("action")
    if action not in ModerationLog.Action.values:
        report.skip("moderation record of an unknown kind")
        return
    if ModerationLog.objects.filter(comment=comment, created_at=when, action=action).exists():
        return
    ModerationLog.objects.create(
        comment=comment,
        created_at=when,
        actor_id=_account(row.get("actor"), users),
        # The name the old site wrote with the row, even where the account is found here.
        actor_name=(row.get("actor_name") or "")[:200],
        screen=row.get("screen") or "",
        action=action,
        from_status=row.get("from_status") or "",
        to_status=row.get("to_status") or "",
        reason=(row.get("reason") or "")[:300],
    )
    report.restored["moderation records"] += 1
