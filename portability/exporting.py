"""The newsite export: JSON Lines, one object a line, each with a ``type``.

The first line is the header (``{"type": "header", "format": "newsite-comments",
"version": 2, …}``), then every ``article`` that has comments, votes or follows (before
anything that names it; our own articles whole, see ``article_records``), every
``comment`` (parents before replies), ``vote`` and ``subscription``, then the ``like``
and ``attachment`` objects of those comments, then their ``flag``, ``revision`` and
``moderation`` objects (``portability.history``), and last the site's ``blocked_word``,
``ban`` and ``trust`` rules (``portability.rules``). Emails and IP addresses only with
``personal_data``. ``import_comments --format newsite`` reads it back
(portability/newsite.py).
"""

import json
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage

from comments.models import Attachment, Comment, CommentLike, ThreadSubscription
from portability.article_records import article_record, iso
from portability.history import history_lines
from portability.lines import CHUNK, chunks, json_line, reader_id
from portability.rules import rules_lines
from ratings.models import Vote

# Version 2 added our own articles' content, like rows and attachment ids; version 3
# readers' flags, the edit history and the moderation record (portability/history.py).
# Older files still restore (version 1: articles matched by link only, likes as counts).
FORMAT, VERSION = "newsite-comments", 3


def absolute(url: str) -> str:
    from django.conf import settings

    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def _comment(c: Comment, personal: bool) -> dict:
    row = {
        "type": "comment",
        "id": c.pk,
        "article": c.article_id,
        "parent": c.reply_to_id or c.parent_id,
        "status": c.status,
        "created_at": c.created_at.isoformat(),
        "body": c.body,
        "name": c.author_name,
        "user": c.user.get_username() if c.user_id else None,
        "like_count": c.like_count,
    }
    if personal:
        row["email"] = c.guest_email
        row["ip_address"] = c.ip_address
    return row | _comment_state(c)


def _comment_state(c: Comment) -> dict:
    """What readers see of a comment besides its words: when it was edited, whether it
    is a newsroom pick, the stars sent with it and whose vote they are (a reader by
    username; a guest's key; ``c:<id>`` the comment's own), where it was written."""
    voter = c.rating_voter
    reader = reader_id(voter)
    location = None
    if c.has_location:
        location = {
            "name": c.location_name,
            "latitude": str(c.latitude) if c.latitude is not None else None,
            "longitude": str(c.longitude) if c.longitude is not None else None,
            "precise": c.location_precise,
        }
    return {
        "edited_at": iso(c.edited_at),
        "featured_at": iso(c.featured_at) if c.is_featured else None,
        "rating": c.rating,
        "rating_voter": None if reader is not None else voter or None,
        "rating_user": c.user.get_username() if reader and reader == c.user_id else None,
        "location": location,
        "language": c.language,
    }


def _vote(vote: Vote) -> dict:
    # A reader's voter key holds their account's id here, which means nothing
    # elsewhere: they are named by username, and a restore makes their key anew.
    user = vote.user.get_username() if vote.user_id else None
    voter = None if user else vote.voter
    return {
        "type": "vote",
        "article": vote.article_id,
        "voter": voter,
        "stars": vote.stars,
        "user": user,
    }


def _likes(likes: Iterable[CommentLike]) -> Iterator[str]:
    """Like lines; a reader's like names them by username (their key holds an id)."""
    for chunk in chunks(likes):
        ids = {reader_id(like.voter) for like in chunk} - {None}
        names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
        for like in chunk:
            reader = reader_id(like.voter) is not None
            user = names.get(reader_id(like.voter)) if reader else None
            if reader and user is None:
                continue  # the account is gone: nobody's like to carry
            yield json_line(
                {
                    "type": "like",
                    "comment": like.comment_id,
                    "voter": None if reader else like.voter,
                    "user": user,
                }
            )


def _attachment(a: Attachment) -> dict:
    return {
        "type": "attachment",
        "id": a.pk,
        "comment": a.comment_id,
        "slot": a.slot,
        "kind": a.kind,
        "name": a.name,
        "file": a.file.name,
        "content_type": a.content_type,
        "size": a.size,
    }


def _copy(name: str, media: Path) -> bool:
    """Copy a stored file under ``media``; False when storage does not have it (the
    export goes on: one lost file must not cost the whole backup)."""
    target = media / name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with default_storage.open(name) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
    except FileNotFoundError:
        target.unlink(missing_ok=True)
        return False
    return True


def export_lines(
    *,
    personal_data: bool = False,
    since=None,
    media: Path | None = None,
    missing: Callable[[str], None] | None = None,
) -> Iterator[str]:
    """The export's lines. With ``media``, attachments' files are copied there; a file
    storage has lost is named to ``missing``."""
    from django.utils import timezone

    comments = Comment.objects.select_related("article", "user").order_by("depth", "pk")
    votes = Vote.objects.select_related("article", "user").order_by("pk")
    follows = ThreadSubscription.objects.select_related("article", "user").order_by("pk")
    if since is not None:
        comments = comments.filter(created_at__gte=since)
        votes = votes.filter(updated_at__gte=since)
        follows = follows.filter(created_at__gte=since)
    header = {"type": "header", "format": FORMAT, "version": VERSION}
    header |= {"exported_at": timezone.now().isoformat(), "personal_data": personal_data}
    yield json.dumps(header)
    seen = set()
    for group in (comments, votes, follows):
        for row in group.iterator(chunk_size=CHUNK):
            if row.article_id not in seen:
                seen.add(row.article_id)
                page = row.article.external_url or absolute(row.article.get_absolute_url())
                yield json_line(article_record(row.article, page))
            if isinstance(row, Comment):
                yield json_line(_comment(row, personal_data))
            elif isinstance(row, Vote):
                yield json_line(_vote(row))
            else:
                user = row.user.get_username()
                yield json_line({"type": "subscription", "article": row.article_id, "user": user})
    likes = CommentLike.objects.filter(comment__in=comments.values("pk")).order_by("pk")
    yield from _likes(likes.iterator(chunk_size=CHUNK))
    attachments = Attachment.objects.filter(comment__in=comments.values("pk")).order_by("pk")
    for a in attachments.iterator(chunk_size=CHUNK):
        yield json_line(_attachment(a))
        if media is not None and not _copy(a.file.name, media) and missing:
            missing(a.file.name)
    yield from history_lines(comments, personal=personal_data)
    yield from rules_lines(personal=personal_data, since=since)
