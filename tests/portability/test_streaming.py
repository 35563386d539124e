"""The streaming import on a generated 100,000-comment Disqus export: peak RSS and time.

Too slow for every run of the suite; ``make import-memory`` runs it alone (so that the
process's peak RSS is the import's) and prints the figures the README quotes."""

import os
import resource
import time

import pytest

from comments.models import Comment
from tests.portability.conftest import run_import

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("IMPORT_MEMORY_TEST"), reason="make import-memory runs it"
    ),
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory):
    """The test database in a file. In memory (pytest-django's SQLite default) the
    100,000 comments written would sit in this very process and count as the import's
    memory; on a real site the database is elsewhere."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):  # Django's, or newsite.sqlite3
        name = tmp_path_factory.mktemp("import-memory") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


HEAD = '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'


def write_export(path, *, comments: int, per_thread: int = 100) -> None:
    threads = comments // per_thread
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEAD)
        for t in range(threads):
            out.write(
                f'<thread dsq:id="t{t}"><id/><link>https://old.example.org/story-{t}/</link>'
                f"<title>Story {t}</title></thread>\n"
            )
        for n in range(comments):
            t, i = divmod(n, per_thread)
            # Each reply answers one of the three posts before it in the same thread.
            back = 1 + i % 3
            parent = f'<parent dsq:id="p{n - back}"/>' if i % 4 and back <= i else ""
            out.write(
                f'<post dsq:id="p{n}"><message><![CDATA[<p>Comment {n} with some text, '
                f"ça va — {'x' * 300}</p>]]></message><createdAt>2020-01-01T00:00:00Z</createdAt>"
                f"<isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Reader {n}"
                f"</name><email>r{n}@example.org</email></author><ipAddress>203.0.113.{n % 250}"
                f'</ipAddress><thread dsq:id="t{t}"/>{parent}</post>\n'
            )
        out.write("</disqus>\n")


def test_hundred_thousand_comments_import_in_bounded_memory(tmp_path):
    path = tmp_path / "big.xml"
    write_export(path, comments=100_000)
    size_mb = path.stat().st_size / 2**20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.monotonic()
    report = run_import("disqus", path)
    took = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n{size_mb:.0f} MB export: {report[0]} in {took:.0f} s; "
        f"peak RSS {peak:.0f} MB (before the import {before:.0f} MB)"
    )
    assert report[0] == "imported 100000 comments in 1000 threads, skipped 0"
    assert Comment.objects.count() == 100_000
    assert peak < 300
