"""Reading a newsite export back (``import_comments --format newsite``): a restore.

Comments are grouped by article through the Disqus reader's on-disk spool (the export
lists them by depth, not by article). Votes and thread follows are restored after
the comments, each idempotently (one vote per voter, one follow per reader).
"""

import json
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F

from articles.models import Article
from comments.models import ThreadSubscription
from portability.disqus import Spool
from portability.exporting import FORMAT
from portability.importing import Report, Thread, article_for
from ratings.models import Vote


def _post(row: dict) -> dict:
    return {
        "source_id": str(row["id"]),
        "parent_id": str(row["parent"]) if row.get("parent") else None,
        "body": row.get("body", ""),
        "name": row.get("name", ""),
        "email": row.get("email") or "",
        "ip_address": row.get("ip_address"),
        "created_at": row.get("created_at", ""),
        "status": row.get("status", "approved"),
        "likes": row.get("like_count", 0),
        "username": row.get("user") or "",
    }


def read(path: str, report: Report, progress=None) -> Iterator[Thread]:
    spool, extras, articles = Spool(), [], {}
    try:
        with open(path, encoding="utf-8") as lines:
            header = json.loads(next(lines, "{}") or "{}")
            if header.get("format") != FORMAT:
                raise ValueError("not a newsite export (no header line)")
            for line in lines:
                row = json.loads(line)
                kind = row.get("type")
                if kind == "article":
                    articles[row["id"]] = row
                    spool.thread(str(row["id"]), row["url"], row.get("title", ""))
                elif kind == "comment":
                    spool.post(str(row["article"]), _post(row))
                    if progress:
                        progress()
                elif kind in ("vote", "subscription"):
                    extras.append(row)
        spool.db.commit()
        yield from spool.threads()
        _restore_extras(extras, articles, report)
    finally:
        spool.close()


@transaction.atomic
def _restore_extras(rows: list[dict], articles: dict, report: Report) -> None:
    users = dict(get_user_model().objects.values_list("username", "pk"))
    local = {}
    for row in rows:
        if row["article"] not in local:
            found = articles.get(row["article"])
            local[row["article"]] = (
                found and article_for(found["url"], found["title"], dry_run=False)[0]
            )
        article = local[row["article"]]
        if article is None:
            report.skip(f"{row['type']} of an unknown article")
        elif row["type"] == "vote":
            _, made = Vote.objects.get_or_create(
                article=article,
                voter=row["voter"],
                defaults={"stars": row["stars"], "user_id": users.get(row.get("user") or "")},
            )
            if made:
                Article.objects.filter(pk=article.pk).update(
                    rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + row["stars"]
                )
        elif row["user"] in users:
            ThreadSubscription.objects.get_or_create(article=article, user_id=users[row["user"]])
        else:
            report.skip("subscription of an unknown reader")
