"""The embedded default under concurrency: `make run`'s server (runserver, threaded) on a
SQLite file, 16 guests posting, voting, liking and uploading at the same moment.

SQLite's default deferred transactions take a read lock and fail at once ("database is
locked", a 503 here) when they later need to write while another connection writes,
whatever the busy timeout. With ``transaction_mode="IMMEDIATE"`` (and WAL, so readers do
not wait for writers) every writer queues for the lock instead. Expect zero 5xx and
every row written.

Runs on both CI passes: it tests the embedded default, whatever the suite's database.
"""

import io
import os
import sqlite3
import sys
import threading
from pathlib import Path

import requests
from PIL import Image

from tests.processes import Processes, free_port, run, wait_for

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 16
SLUG = "busy-story"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def site_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DEBUG="1",
        MEDIA_ROOT=str(tmp_path / "media"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        COMMENTS_MODERATION="none",
        # One client address for everyone: the limits are not what is tested here.
        COMMENTS_RATE_LIMIT="1000/m",
        VOTES_RATE_LIMIT="1000/m",
        RATINGS_GUEST_VOTES_PER_NETWORK="1000",
        LIKES_RATE_LIMIT="1000/m",
        UPLOADS_RATE_LIMIT="1000/m",
    )
    return env


def guest(base: str, n: int, start: threading.Barrier, statuses: list) -> None:
    """One guest's visit: post a comment, rate the article, like the comment, attach a
    picture to it (with the comment's edit token)."""
    with requests.Session() as http:
        start.wait()
        posted = http.post(
            f"{base}/api/v1/articles/{SLUG}/comments/",
            json={"body": f"Guest {n} was here.", "name": f"Guest {n}", "email": f"g{n}@e.org"},
            timeout=60,
        )
        statuses.append(("post", posted.status_code))
        if posted.status_code != 201:
            return
        comment = posted.json()
        steps = [
            (
                "vote",
                http.put(
                    f"{base}/api/v1/articles/{SLUG}/rating/", json={"stars": 1 + n % 5}, timeout=60
                ),
            ),
            ("like", http.post(f"{base}/api/v1/comments/{comment['id']}/like/", timeout=60)),
            (
                "upload",
                http.post(
                    f"{base}/api/v1/comments/{comment['id']}/attachments/",
                    files={"file": (f"photo{n}.png", png(), "image/png")},
                    headers={"X-Comment-Token": comment["edit_token"]},
                    timeout=60,
                ),
            ),
        ]
        statuses.extend((name, response.status_code) for name, response in steps)


def test_sixteen_guests_at_once_on_sqlite_lose_nothing(tmp_path):
    env = site_env(tmp_path)
    python = sys.executable
    run([python, "manage.py", "migrate", "--noinput"], env)
    run(
        [
            python,
            "manage.py",
            "shell",
            "-c",
            f"from tests.factories import make_article; make_article(slug={SLUG!r})",
        ],
        env,
    )
    port = free_port()
    processes = Processes(tmp_path)
    processes.start(
        "runserver", [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for("runserver", lambda: _answers(f"{base}/livez"))
        statuses: list = []
        start = threading.Barrier(CLIENTS)
        guests = [
            threading.Thread(target=guest, args=(base, n, start, statuses)) for n in range(CLIENTS)
        ]
        for thread in guests:
            thread.start()
        for thread in guests:
            thread.join(timeout=120)
        failures = [s for s in statuses if s[1] >= 500]
        assert not failures, f"{len(failures)} server errors: {failures}"
        expected = {"post": 201, "vote": 200, "like": 200, "upload": 201}
        wanted = sorted((step, code) for step, code in expected.items() for _ in range(CLIENTS))
        assert sorted(statuses) == wanted, statuses
        with sqlite3.connect(tmp_path / "db.sqlite3") as db:
            counts = {
                table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in (
                    "comments_comment",
                    "ratings_vote",
                    "comments_commentlike",
                    "comments_attachment",
                )
            }
        assert counts == dict.fromkeys(counts, CLIENTS), counts
    except BaseException:
        processes.dump()
        raise
    finally:
        processes.stop_all()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
