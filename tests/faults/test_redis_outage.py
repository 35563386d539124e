"""Redis stops in the middle of traffic, for real: guests keep posting, and no post fails,
waits or is lost.

Every part is a process of its own: a redis-server of the test's own on a free port (the
cache, the rate limits and the Celery broker, as with ``REDIS_URL`` alone in production),
the site under gunicorn with ``deploy/gunicorn.conf.py`` (sync workers, ``DEBUG=0``),
tasks published to that Redis (not run in-process; no worker runs, the queue just
fills), and the database in a file under ``tmp_path`` — or, when ``DATABASE_URL`` names
PostgreSQL, a database of the test's own on that server. Eight clients post guest
comments through the API; Redis is stopped, then started again.

Skipped when ``redis-server`` is not installed, unless ``REQUIRE_TOPOLOGY=1``.
"""

import contextlib
import json
import os
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from tests.processes import Processes, free_port, own_database, production_env, run, wait_for

ROOT = Path(__file__).resolve().parents[2]
CLIENTS, WEB_WORKERS = 4, 2
SLUG = "redis-outage"
# Seconds of each phase: the first posts of each gunicorn worker import half the site,
# so the warm-up is not measured.
WARM_UP, UP, DOWN, BACK = 2.0, 3.0, 6.0, 3.0
# The cache's pause after a failure (REDIS_DOWN_SECONDS), shorter than the outage so
# that every gunicorn worker asks the dead Redis again a few times while it is down.
CACHE_PAUSE = 2
# A stopped Redis refuses connections at once: a post should cost what it costs with
# Redis up (40-100 ms here, p50) plus a refused connect or two. Before the fix the
# same run gave posts of 6 s (and once 19 s). The limit leaves room for a busy 2-core
# CI machine: with a load average of 12 from other test runs, the slowest post while
# Redis was down took 0.9 s.
SLOWEST_POST_WHILE_DOWN = 1.5


@dataclass
class Post:
    started: float
    seconds: float
    status: int
    comment_id: int | None


def test_posting_goes_on_while_redis_is_stopped(tmp_path):
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        if os.environ.get("REQUIRE_TOPOLOGY") == "1":
            pytest.fail("REQUIRE_TOPOLOGY=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    logs = tmp_path / "logs"
    logs.mkdir()
    procs = Processes(logs)
    try:
        with database(tmp_path) as database_url:
            _scenario(procs, redis_server, database_url)
    except BaseException:
        procs.stop_all()
        procs.dump()
        raise
    finally:
        procs.stop_all()


@contextlib.contextmanager
def database(tmp_path: Path):
    url = os.environ.get("DATABASE_URL", "")
    if urlparse(url).scheme in ("postgres", "postgresql", "pgsql"):
        with own_database(url) as (own_url, _):
            yield own_url
    else:
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"


def _scenario(procs: Processes, redis_server: str, database_url: str) -> None:
    import redis

    redis_port, web_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    site = f"http://127.0.0.1:{web_port}"
    env = production_env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="0",
        REDIS_DOWN_SECONDS=str(CACHE_PAUSE),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        COMMENTS_MODERATION="none",
        # Every client posts from 127.0.0.1: the limits are not what is tested here.
        COMMENTS_RATE_LIMIT="100000/m",
        GUNICORN_BIND=f"127.0.0.1:{web_port}",
        WEB_CONCURRENCY=str(WEB_WORKERS),
    )
    redis_args = [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1"]
    redis_args += ["--save", "", "--appendonly", "no", "--dir", str(procs.logs)]
    procs.start("redis", redis_args, env)
    python = sys.executable
    run([python, "manage.py", "migrate", "--noinput"], env)
    run(
        [python, "manage.py", "shell", "-c"]
        + [f"from tests.factories import make_article; make_article(slug={SLUG!r})"],
        env,
    )
    procs.start(
        "gunicorn",
        [python, "-m", "gunicorn", "newsite.wsgi", "--config", "deploy/gunicorn.conf.py"],
        env,
    )
    broker = redis.Redis.from_url(redis_url, socket_timeout=2)
    wait_for("gunicorn to answer /livez", lambda: procs.check_alive() or _answers(f"{site}/livez"))

    posts: list[Post] = []
    stop = threading.Event()
    clients = [threading.Thread(target=_guest, args=(site, n, stop, posts)) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    try:
        time.sleep(WARM_UP)
        up_at = time.monotonic()
        time.sleep(UP)
        queued_before = broker.llen("celery")
        down_at = time.monotonic()
        os.killpg(procs.running["redis"].pid, signal.SIGTERM)
        procs.running.pop("redis").wait(timeout=15)
        time.sleep(DOWN)
        back_at = time.monotonic()
        procs.start("redis-again", redis_args, env)
        wait_for("Redis to start again", lambda: _pings(broker))
        time.sleep(BACK)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)
    ended = time.monotonic()
    queued_after = broker.llen("celery")
    procs.check_alive()

    up = [p for p in posts if up_at <= p.started < down_at]
    down = [p for p in posts if down_at <= p.started < back_at]
    back = [p for p in posts if p.started >= back_at]
    print()
    print(_summary("Redis up", up, down_at - up_at))
    print(_summary("Redis stopped", down, back_at - down_at))
    print(_summary("Redis back", back, ended - back_at))

    failed = [p for p in posts if p.status != 201]
    assert not failed, f"{len(failed)} posts not answered 201: {failed[:10]}"
    slowest = max(p.seconds for p in down)
    assert slowest < SLOWEST_POST_WHILE_DOWN, f"a post took {slowest:.2f}s while Redis was down"
    # Throughput holds (it fell from ~65 to 1 post a second before the fix). A quarter,
    # not a half: under `make test` the other test worker's load moves between the
    # phases (once 161 posts a second up and 74 down, with Redis away but no slower).
    assert len(down) / DOWN > 0.25 * len(up) / UP
    # Tasks really went to the broker before the outage, and go there again after it.
    assert queued_before > 0
    assert queued_after > 0

    saved = json.loads(
        run(
            [python, "manage.py", "shell", "--no-imports", "-c"]
            + [
                "import json; from comments.models import Comment; "
                "print(json.dumps(list(Comment.objects.values_list('pk', flat=True))))"
            ],
            env,
        )
    )
    missing = {p.comment_id for p in posts} - set(saved)
    assert not missing, f"{len(missing)} comments answered 201 are not in the database"


def _guest(site: str, n: int, stop: threading.Event, posts: list[Post]) -> None:
    url = f"{site}/api/v1/articles/{SLUG}/comments/"
    with requests.Session() as http:
        count = 0
        while not stop.is_set():
            count += 1
            body = {"body": f"Post {count} of guest {n}.", "name": f"Guest {n}", "email": "g@e.org"}
            started = time.monotonic()
            response = http.post(url, json=body, timeout=30)
            seconds = time.monotonic() - started
            comment_id = response.json().get("id") if response.status_code == 201 else None
            posts.append(Post(started, seconds, response.status_code, comment_id))


def _summary(phase: str, posts: list[Post], seconds: float) -> str:
    times = sorted(p.seconds for p in posts) or [0.0]
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    return (
        f"{phase}: {len(posts)} posts in {seconds:.1f}s ({len(posts) / seconds:.0f}/s), "
        f"p50 {pick(0.5) * 1000:.0f} ms, p95 {pick(0.95) * 1000:.0f} ms, "
        f"max {times[-1] * 1000:.0f} ms"
    )


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _pings(client) -> bool:
    import redis

    try:
        return client.ping()
    except redis.exceptions.ConnectionError:
        return False
