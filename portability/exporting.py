"""The newsite export: JSON Lines, one object a line, each with a ``type``.

The first line is the header (``{"type": "header", "format": "newsite-comments",
"version": 1, …}``), then every ``article`` that has comments or votes, every
``comment`` (parents before replies), ``attachment``, ``vote`` and ``subscription``.
Emails and IP addresses only with ``personal_data``. ``import_comments --format
newsite`` reads it back (portability/newsite.py).
"""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from django.core.files.storage import default_storage

from comments.models import Attachment, Comment, ThreadSubscription
from ratings.models import Vote

FORMAT, VERSION = "newsite-comments", 1


def absolute(url: str) -> str:
    from django.conf import settings

    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def _article(article) -> dict:
    return {
        "type": "article",
        "id": article.pk,
        "url": article.external_url or absolute(article.get_absolute_url()),
        "title": article.title,
    }


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
    return row


def export_lines(
    *, personal_data: bool = False, since=None, media: Path | None = None
) -> Iterator[str]:
    from django.utils import timezone

    comments = Comment.objects.select_related("article", "user").order_by("depth", "pk")
    votes = Vote.objects.select_related("user").order_by("pk")
    follows = ThreadSubscription.objects.select_related("user").order_by("pk")
    if since is not None:
        comments = comments.filter(created_at__gte=since)
        votes = votes.filter(updated_at__gte=since)
        follows = follows.filter(created_at__gte=since)
    header = {"type": "header", "format": FORMAT, "version": VERSION}
    header |= {"exported_at": timezone.now().isoformat(), "personal_data": personal_data}
    yield json.dumps(header)
    seen = set()
    for group in (comments, votes, follows):
        for row in group.iterator():
            if row.article_id not in seen:
                seen.add(row.article_id)
                yield json.dumps(_article(row.article), ensure_ascii=False)
            if isinstance(row, Comment):
                yield json.dumps(_comment(row, personal_data), ensure_ascii=False)
            elif isinstance(row, Vote):
                user = row.user.get_username() if row.user_id else None
                yield json.dumps(
                    {
                        "type": "vote",
                        "article": row.article_id,
                        "voter": row.voter,
                        "stars": row.stars,
                        "user": user,
                    }
                )
            else:
                user = row.user.get_username()
                yield json.dumps({"type": "subscription", "article": row.article_id, "user": user})
    for a in Attachment.objects.filter(comment__in=comments).order_by("pk").iterator():
        yield json.dumps(
            {
                "type": "attachment",
                "comment": a.comment_id,
                "slot": a.slot,
                "kind": a.kind,
                "name": a.name,
                "file": a.file.name,
                "content_type": a.content_type,
                "size": a.size,
            },
            ensure_ascii=False,
        )
        if media is not None:
            target = media / a.file.name
            target.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(a.file.name) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
