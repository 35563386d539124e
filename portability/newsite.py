"""Reading a newsite export back (``import_comments --format newsite``): a restore.

The file is read once into an on-disk spool (the Disqus reader's, with a table for
everything that is not a comment): comments are grouped by article there (the export
lists them by depth, not by article) and written a thread at a time by the importer;
each thread's article is found, or made again when ours is missing
(``article_records``). After the comments come votes, follows, likes, attachments
(``restoring``), then flags, edits and the moderation record (``history``), then the
site's blocked words, bans and trust in authors (``rules``), each idempotently.

Likes: a comment's ``like_count`` in the file counts every like, of which the
``like`` lines are the ones with a voter (a comment imported from Disqus has likes
without one, and the like of a reader with no account here has nobody to carry it). A
comment is written with the likes no line will add; each like line then adds its row
and one to the count.
"""

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime

from articles.models import Article
from portability import history, rules
from portability.article_records import article_find
from portability.disqus import Spool
from portability.exporting import FORMAT, VERSION
from portability.importing import Options, Report, Thread, mapped_url
from portability.lines import chunks
from portability.restoring import attachments_restore, likes_restore, votes_and_follows_restore

# A comment line's fields beyond what every import has (``exporting._comment_state``).
STATE = (
    "edited_at",
    "featured_at",
    "rating",
    "rating_voter",
    "rating_user",
    "location",
    "language",
)


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
        "fields": {name: row[name] for name in STATE if row.get(name) is not None},
    }


def comment_fields(state: dict, users: dict[str, int]) -> dict:
    """A comment line's state as the comment's field values here. Whose vote the stars
    are: a reader's key made from their account here; a guest's as it was; the
    comment's own (``c:<id>``) is written with the vote, once the comment has its id
    here (``restoring``)."""
    fields = {}
    for name in ("edited_at", "featured_at"):
        if state.get(name):
            fields[name] = parse_datetime(state[name])
    fields["is_featured"] = "featured_at" in fields
    voter = state.get("rating_voter") or ""
    if state.get("rating_user"):
        voter = f"u:{users[state['rating_user']]}" if state["rating_user"] in users else ""
    fields["rating"] = state.get("rating")
    fields["rating_voter"] = "" if voter.startswith("c:") else voter
    fields["language"] = state.get("language") or ""
    place = state.get("location") or {}
    fields["location_name"] = place.get("name") or ""
    for name in ("latitude", "longitude"):
        fields[name] = Decimal(place[name]) if place.get(name) else None
    fields["location_precise"] = bool(place.get("precise"))
    return fields


def _row(line: str, number: int) -> dict:
    """One line of the file as an object; a ``ValueError`` naming the line if it is not."""
    try:
        row = json.loads(line)
    except ValueError as exc:
        raise ValueError(f"line {number} is not JSON ({exc.args[0].split(':')[0]})") from None
    if not isinstance(row, dict):
        raise ValueError(f"line {number} is not a JSON object")
    return row


class RestoreSpool(Spool):
    """The Disqus spool, plus every other line of the file (articles, votes, follows,
    likes, attachments) under the id that finds it (the article's, the comment's)."""

    def __init__(self):
        super().__init__()
        self.db.execute(
            "create table extras (seq integer primary key, type text, key text, data text)"
        )
        self.db.execute("create index extras_key on extras (type, key)")

    def park(self, kind: str, key, row: dict) -> None:
        sql = "insert into extras (type, key, data) values (?, ?, ?)"
        self.db.execute(sql, (kind, str(key), json.dumps(row)))

    def extras(self, *kinds: str) -> Iterator[dict]:
        marks = ", ".join("?" * len(kinds))
        sql = f"select data from extras where type in ({marks}) order by seq"  # noqa: S608
        for (data,) in self.db.execute(sql, kinds):
            yield json.loads(data)

    def article(self, key) -> dict | None:
        sql = "select data from extras where type = 'article' and key = ?"
        found = self.db.execute(sql, (str(key),)).fetchone()
        return json.loads(found[0]) if found else None

    def like_lines(self, comment_ids: list[str]) -> dict[str, int]:
        """How many like lines each of these comments has."""
        counts = {}
        for chunk in chunks(comment_ids, 500):
            marks = ", ".join("?" * len(chunk))
            sql = (
                "select key, count(*) from extras"  # noqa: S608
                f" where type = 'like' and key in ({marks}) group by key"
            )
            counts.update(self.db.execute(sql, chunk).fetchall())
        return counts


class Restore:
    """One restore: ``read`` is the importer's reader for the newsite format."""

    def __init__(self, *, options: Options, media: Path | None = None):
        self.options, self.media = options, media
        self.users = dict(get_user_model().objects.values_list("username", "pk"))
        self.found: dict[str, tuple[Article | None, str]] = {}
        self.spool: RestoreSpool | None = None

    def read(self, path: str, report: Report, progress=None) -> Iterator[Thread]:
        self.spool = spool = RestoreSpool()
        try:
            self._load(path, report, progress)
            for thread in spool.threads():
                thread.find_article = lambda url, dry_run, key=thread.key: self.article(key)
                likes = spool.like_lines([post.source_id for post in thread.posts])
                for post in thread.posts:
                    post.likes = max(post.likes - likes.get(post.source_id, 0), 0)
                    post.fields = comment_fields(post.fields, self.users)
                yield thread
            self._restore_the_rest(report)
        finally:
            spool.close()

    def _load(self, path: str, report: Report, progress) -> None:
        spool = self.spool
        with open(path, encoding="utf-8") as lines:
            header = json.loads(next(lines, "{}") or "{}")
            if header.get("format") != FORMAT:
                raise ValueError("not a newsite export (no header line)")
            if not 1 <= header.get("version", 0) <= VERSION:
                raise ValueError(f"a newsite export of version {header.get('version')!r}")
            for number, line in enumerate(lines, start=2):
                row = _row(line, number)
                try:
                    self._take(row, report, progress)
                except KeyError as exc:  # a line without the field that places it
                    report.skip(f"{row.get('type')} line without {exc.args[0]!r}")
        spool.db.commit()
        report.skip("orphan post", spool.orphans())  # a comment of an article not in the file

    def _take(self, row: dict, report: Report, progress) -> None:
        """Spool one line under the id that finds it (the article's, the comment's)."""
        spool, kind = self.spool, row.get("type")
        if kind == "article":
            spool.thread(str(row["id"]), row["url"], row.get("title", ""))
            spool.park(kind, row["id"], row)
        elif kind == "comment":
            spool.post(str(row["article"]), _post(row))
            if progress:
                progress()
        elif kind == "like" and row.get("user") and row["user"] not in self.users:
            # Nobody here to carry it: it stays in the comment's count only.
            report.skip("like of an unknown reader (kept in the count)")
        elif kind in ("like", "attachment", *history.KINDS):
            spool.park(kind, row["comment"], row)
        elif kind in ("vote", "subscription"):
            spool.park(kind, row["article"], row)
        elif kind in rules.KINDS:
            spool.park(kind, "", row)

    def article(self, key) -> tuple[Article | None, str]:
        """The article of the file's article ``key``: found, or made (not in a dry run)."""
        key = str(key)
        if key not in self.found:
            row = self.spool.article(key)
            if row is None:
                return None, "unknown article"
            url = mapped_url(row["url"].strip(), self.options.url_map)
            self.found[key] = article_find(row, url, dry_run=self.options.dry_run)
        return self.found[key]

    def _restore_the_rest(self, report: Report) -> None:
        spool, source = self.spool, self.options.source
        if not self.options.dry_run:
            votes_and_follows_restore(
                rows=spool.extras("vote", "subscription"),
                find=lambda key: self.article(key)[0],
                source=source,
                users=self.users,
                report=report,
            )
            likes_restore(rows=spool.extras("like"), source=source, users=self.users, report=report)
            history.history_restore(
                rows=spool.extras(*history.KINDS), source=source, users=self.users, report=report
            )
            # Last: a ban restored first would refuse its author's old comments.
            rules.rules_restore(rows=spool.extras(*rules.KINDS), users=self.users, report=report)
        attachments_restore(
            rows=spool.extras("attachment"),
            source=source,
            media=self.media,
            report=report,
            dry_run=self.options.dry_run,
        )
