"""Reading a Disqus export (XML), streamed.

Disqus writes every ``<thread>`` first and then every ``<post>``, each naming its
thread by ``dsq:id``, in no useful order. So the file is read once with
``iterparse`` (each element cleared once read: memory stays flat), threads and posts
going to a spool on disk (a temporary SQLite file); threads are then read back one
at a time with their posts, to be written each in its own transaction.
"""

import json
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import datetime

from defusedxml.ElementTree import iterparse

from comments.models import Comment
from portability.importing import Post, Report, Thread
from portability.markup import html_to_body

NS = "{http://disqus.com}"
DSQ_ID = "{http://disqus.com/disqus-internals}id"


def _text(element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _ref(element, name: str) -> str:
    found = element.find(NS + name)
    return (found.get(DSQ_ID) or "").strip() if found is not None else ""


def _when(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _post(element) -> tuple[str, dict]:
    """``(thread id, post fields)`` of a ``<post>``."""
    if _text(element, NS + "isSpam") == "true":
        status = Comment.Status.SPAM
    elif _text(element, NS + "isDeleted") == "true":
        status = Comment.Status.DELETED
    else:
        status = Comment.Status.APPROVED
    author = NS + "author/" + NS
    return _ref(element, "thread"), {
        "source_id": element.get(DSQ_ID) or _text(element, NS + "id"),
        "parent_id": _ref(element, "parent") or None,
        "body": html_to_body(_text(element, NS + "message")),
        "name": _text(element, author + "name") or _text(element, author + "username"),
        "email": _text(element, author + "email"),
        "ip_address": _text(element, NS + "ipAddress") or None,
        "created_at": _text(element, NS + "createdAt"),
        "status": status,
        "likes": int(_text(element, NS + "likes") or 0),
    }


class Spool:
    """Threads and posts parked in a temporary SQLite file until the file is read."""

    def __init__(self):
        self.file = tempfile.NamedTemporaryFile(suffix=".sqlite3")  # noqa: SIM115
        self.db = sqlite3.connect(self.file.name)
        self.db.execute("create table threads (id text primary key, url text, title text)")
        self.db.execute("create table posts (seq integer primary key, thread text, data text)")
        self.db.execute("create index posts_thread on posts (thread, seq)")

    def thread(self, dsq_id: str, url: str, title: str) -> None:
        self.db.execute("insert or ignore into threads values (?, ?, ?)", (dsq_id, url, title))

    def post(self, thread: str, data: dict) -> None:
        self.db.execute(
            "insert into posts (thread, data) values (?, ?)", (thread, json.dumps(data))
        )

    def orphans(self) -> int:
        sql = "select count(*) from posts where thread not in (select id from threads)"
        return self.db.execute(sql).fetchone()[0]

    def threads(self) -> Iterator[Thread]:
        rows = self.db.execute(
            "select id, url, title from threads"
            " where id in (select thread from posts) order by rowid"
        ).fetchall()
        for dsq_id, url, title in rows:
            posts = []
            for (data,) in self.db.execute(
                "select data from posts where thread = ? order by seq", (dsq_id,)
            ):
                fields = json.loads(data)
                fields["created_at"] = _when(fields["created_at"])
                posts.append(Post(**fields))
            yield Thread(url=url, title=title, posts=posts, key=dsq_id)

    def close(self) -> None:
        self.db.close()
        self.file.close()


def read(path: str, report: Report, progress=None) -> Iterator[Thread]:
    """The file's threads with their posts. Orphan posts (naming a thread the file does
    not have) are counted in ``report``. A DTD or entity declaration is refused
    (``defusedxml`` raises): exports have none, attacks do."""
    spool = Spool()
    try:
        depth = 0
        for event, element in iterparse(path, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                depth += 1
                if depth == 1:
                    root = element
                continue
            depth -= 1
            if depth != 1:
                continue
            if element.tag == NS + "thread":
                spool.thread(
                    element.get(DSQ_ID) or "",
                    _text(element, NS + "link"),
                    _text(element, NS + "title"),
                )
            elif element.tag == NS + "post":
                spool.post(*_post(element))
                if progress:
                    progress()
            element.clear()
            root.clear()
        spool.db.commit()
        report.skip("orphan post", spool.orphans())
        yield from spool.threads()
    finally:
        spool.close()
