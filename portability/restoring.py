"""What a newsite restore writes after the comments: votes, thread follows, likes and
attachments, each idempotently (one vote per voter, one follow per reader, one like per
voter, each exported attachment once), in chunks of a transaction each.

Readers are found by username (``users``); their voter keys are made anew from their
account here (``u:<id>``: the exported one held the old site's id). Counters move with
``F()`` by what was really added, so ``like_count``, ``rating_count`` and
``rating_sum`` stay equal to the rows whatever was there before.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F

from articles.models import Article
from comments.attachments import (
    DecodeBusy,
    FileTooLarge,
    TooManyAttachments,
    attachment_add,
    prepare,
)
from comments.models import Comment, CommentLike, ThreadSubscription
from portability.importing import Report
from portability.lines import chunks
from portability.models import ImportedAttachment, ImportedComment
from ratings.models import Vote

FindArticle = Callable[[int], Article | None]


def imported_comments(source: str, ids: Iterable) -> dict[str, Comment]:
    rows = ImportedComment.objects.filter(source=source, source_id__in=[str(i) for i in ids])
    return {row.source_id: row.comment for row in rows.select_related("comment")}


def _voter(row: dict, users: dict[str, int], source: str = "") -> str | None:
    """The voter key of a vote or like here: a reader's made from their account here
    (None when they have none), a guest's as exported. A comment's own vote (a guest
    who rated without a voter cookie, ``c:<id>``) follows the comment's id here, and
    the comment is told it again (``newsite.comment_fields`` left it out)."""
    if row.get("user"):
        user_id = users.get(row["user"])
        return f"u:{user_id}" if user_id else None
    voter = row.get("voter") or None
    if voter and voter.startswith("c:") and source:
        comment = imported_comments(source, [voter[2:]]).get(voter[2:])
        if comment is not None:  # else: not a comment this restore made; kept as it is
            voter = f"c:{comment.pk}"
            Comment.objects.filter(pk=comment.pk, rating_voter="").update(rating_voter=voter)
    return voter


def votes_and_follows_restore(
    *, rows: Iterable[dict], find: FindArticle, source: str, users: dict[str, int], report: Report
) -> None:
    for chunk in chunks(rows):
        with transaction.atomic():
            for row in chunk:
                article = find(row["article"])
                if article is None:
                    report.skip(f"{row['type']} of an unknown article")
                elif row["type"] == "vote":
                    _vote(row, article, _voter(row, users, source), report)
                elif row.get("user") in users:
                    _, made = ThreadSubscription.objects.get_or_create(
                        article=article, user_id=users[row["user"]]
                    )
                    report.restored["follows"] += made
                else:
                    report.skip("subscription of an unknown reader")


def _vote(row: dict, article: Article, voter: str | None, report: Report) -> None:
    if not voter:
        report.skip("vote of an unknown reader" if row.get("user") else "vote without a voter")
        return
    user_id = int(voter[2:]) if voter.startswith("u:") else None
    _, made = Vote.objects.get_or_create(
        article=article, voter=voter, defaults={"stars": row["stars"], "user_id": user_id}
    )
    if made:
        Article.objects.filter(pk=article.pk).update(
            rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + row["stars"]
        )
        report.restored["votes"] += 1


def likes_restore(
    *, rows: Iterable[dict], source: str, users: dict[str, int], report: Report
) -> None:
    """Like rows of restored comments. A comment was written with the likes its export
    counted beyond these rows (``newsite.Restore``); each like added here moves its
    ``like_count`` by one, as ``comment_like`` does."""
    for chunk in chunks(rows):
        comments = imported_comments(source, {row["comment"] for row in chunk})
        added = Counter()
        with transaction.atomic():
            for row in chunk:
                comment = comments.get(str(row["comment"]))
                voter = _voter(row, users)
                if comment is None or not voter:
                    report.skip("like of an unknown comment" if voter else "like without a voter")
                    continue
                _, made = CommentLike.objects.get_or_create(comment=comment, voter=voter)
                added[comment.pk] += made
            for pk, count in added.items():
                if count:
                    Comment.objects.filter(pk=pk).update(like_count=F("like_count") + count)
        report.restored["likes"] += sum(added.values())


def media_file(media: Path | None, name: str) -> Path | None:
    """The exported file ``name`` inside ``media``; None when it is not there (or the
    name would lead outside the folder: a crafted backup must not read other files)."""
    if media is None or not name:
        return None
    root = media.resolve()
    path = (root / name).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def attachments_restore(
    *, rows: Iterable[dict], source: str, media: Path | None, report: Report, dry_run: bool
) -> None:
    """Attach each exported file again through ``comments.attachments`` (checked by
    content, images re-encoded, the per-comment cap of the database), once: an
    ``ImportedAttachment`` remembers it. What cannot be attached is counted by reason."""
    for chunk in chunks(rows, 100):
        comments = imported_comments(source, {row["comment"] for row in chunk})
        done = set(
            ImportedAttachment.objects.filter(
                source=source, source_id__in=[str(row["id"]) for row in chunk]
            ).values_list("source_id", flat=True)
        )
        for row in chunk:
            comment = comments.get(str(row["comment"]))
            path = media_file(media, row.get("file", ""))
            if str(row["id"]) in done:
                report.skip("attachment already restored")
            elif comment is None and not dry_run:
                report.skip("attachment of an unknown comment")
            elif path is None:
                report.skip("attachment file missing" if media else "attachment without --media")
            elif not dry_run:
                _attach(comment, path, row, source, report)


def _attach(comment: Comment, path: Path, row: dict, source: str, report: Report) -> None:
    try:
        with open(path, "rb") as handle:
            prepared = prepare(File(handle, name=row.get("name") or path.name))
        with transaction.atomic():
            attachment = attachment_add(comment=comment, prepared=prepared)
            ImportedAttachment.objects.create(
                attachment=attachment, source=source, source_id=str(row["id"])
            )
    except TooManyAttachments:
        report.skip("attachment over the cap")
    except FileTooLarge:
        report.skip("attachment too large")
    except DecodeBusy:
        report.skip("attachment not decoded (busy)")
    except ValidationError:
        report.skip("attachment refused by the content checks")
    else:
        report.restored["attachments"] += 1
