"""The scaled-out topology on one machine, every part a separate process.

gunicorn (2 sync workers, DEBUG=0) on PostgreSQL, two Celery workers on Redis (not
eager), media on an S3 stand-in (moto's server mode), email written to files by
whichever process sends it. The test talks to the site over HTTP only, and checks the
outcome where it lands: email files, the bucket, the database.

Runs only with ``REQUIRE_TOPOLOGY=1`` (``.ci/run`` sets it for the PostgreSQL run);
then anything missing (PostgreSQL, Redis, moto) fails the test instead of skipping it.
It uses a database of its own (created and dropped here: the processes must see
committed data, which pytest-django's test transaction would hide) and a Redis
database number of its own.
"""

import email
import io
import json
import os
import re
import shutil
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.processes import (
    WAIT,
    Processes,
    free_port,
    own_database,
    production_env,
    run,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SUBSCRIBERS = 1000
BUCKET = "newsite-topology-media"

pytestmark = pytest.mark.skipif(
    os.environ.get("REQUIRE_TOPOLOGY") != "1",
    reason="the scaled-topology test runs with REQUIRE_TOPOLOGY=1 (PostgreSQL + Redis)",
)


# --- Plumbing (tests/processes.py) ---------------------------------------------------------
@contextmanager
def own_redis_database(redis_url: str):
    """A Redis database number no test worker uses: pytest-xdist worker N takes the
    number REDIS_URL names plus N (tests/conftest.py), so this takes the next free one."""
    import redis

    url = urlparse(redis_url)
    base = int(url.path.strip("/") or 0)
    number = base + int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    own = url._replace(path=f"/{number}").geturl()
    client = redis.Redis.from_url(own)
    try:
        client.flushdb()
    except redis.exceptions.ResponseError as exc:
        pytest.fail(f"Redis database {number} is not available ({exc}); raise `databases`")
    try:
        yield own
    finally:
        client.flushdb()
        client.close()


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def sent_messages(mail_dir: Path) -> list[email.message.Message]:
    """Every message the file backend wrote (one file per connection, messages
    separated by a line of 79 dashes)."""
    separator = b"\n" + b"-" * 79 + b"\n"
    messages = []
    for path in mail_dir.glob("*"):
        for chunk in path.read_bytes().split(separator):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


# --- The test ----------------------------------------------------------------------------
def test_scaled_topology(tmp_path):
    import boto3
    import psycopg
    import requests

    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not database_url or not redis_url:
        pytest.fail("REQUIRE_TOPOLOGY=1 needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    if not shutil.which("moto_server", path=str(BIN)):
        pytest.fail("moto_server is missing: install the dev extra (moto[server])")

    mail_dir, logs = tmp_path / "mail", tmp_path / "logs"
    mail_dir.mkdir()
    logs.mkdir()
    procs = Processes(logs)
    started = time.monotonic()
    with own_database(database_url) as (db_url, db_params), own_redis_database(redis_url) as rd:
        try:
            _scenario(procs, db_url, db_params, rd, mail_dir, boto3, psycopg, requests)
        except BaseException:
            procs.stop_all()
            procs.dump()
            raise
        finally:
            procs.stop_all()
    print(f"scaled topology: {time.monotonic() - started:.1f}s")


def _scenario(procs, db_url, db_params, redis_url, mail_dir, boto3, psycopg, requests):
    s3_port, web_port = free_port(), free_port()
    s3_endpoint, site = f"http://127.0.0.1:{s3_port}", f"http://127.0.0.1:{web_port}"
    env = production_env(
        SITE_URL=site,
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="0",
        EMAIL_URL=f"file://{mail_dir}",
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=s3_endpoint,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_ACCESS_KEY_ID="topology",
        AWS_SECRET_ACCESS_KEY="topology-secret",  # noqa: S105 - moto accepts any
        COMMENTS_MODERATION="none",
        COMMENTS_MIN_FILL_SECONDS="0",
        NEWSLETTER_BATCH_SIZE="50",
    )
    python = sys.executable
    began = time.monotonic()

    def phase(what: str):
        print(f"[topology {time.monotonic() - began:5.1f}s] {what}")

    # The S3 stand-in boots while the schema is made.
    procs.start("moto", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)], env)
    run([python, "manage.py", "migrate", "--noinput"], env)
    phase("migrated")

    def s3_up():
        procs.check_alive()
        try:
            return requests.get(s3_endpoint, timeout=2).status_code < 500
        except requests.RequestException:
            return False

    wait_for("moto_server", s3_up)
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="topology",
        aws_secret_access_key="topology-secret",  # noqa: S106
    )
    s3.create_bucket(Bucket=BUCKET)

    # The app servers and the workers.
    procs.start(
        "gunicorn",
        [python, "-m", "gunicorn", "newsite.wsgi", "--workers", "2", "--worker-class", "sync"]
        + ["--bind", f"127.0.0.1:{web_port}", "--access-logfile", "-", "--timeout", "60"],
        env,
    )
    for name in ("worker1", "worker2"):
        procs.start(
            name,
            [python, "-m", "celery", "-A", "newsite", "worker", "--concurrency", "1"]
            + ["--hostname", f"{name}@%h", "--loglevel", "INFO", "--without-gossip"]
            + ["--without-mingle", "--without-heartbeat"],
            env,
        )

    # Seed data while they boot.
    seed = json.loads(run([python, "-m", "tests.topology.seed", str(SUBSCRIBERS)], env))
    phase("seeded")

    def site_up():
        procs.check_alive()
        try:
            return requests.get(f"{site}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    wait_for("gunicorn to answer /healthz", site_up)
    for name in ("worker1", "worker2"):
        wait_for(
            f"{name} to be ready", lambda n=name: procs.check_alive() or "ready." in procs.log(n)
        )

    phase("gunicorn and both workers ready")

    # 1. A reader posts a comment with a PNG through the API; a guest replies.
    comments_url = f"{site}/api/v1/articles/{seed['article']}/comments/"
    posted = requests.post(
        comments_url,
        headers={"Authorization": f"Token {seed['writer_token']}"},
        data={"body": "Scaling out is mostly configuration."},
        files={"attachments": ("chart.png", png_bytes(), "image/png")},
        timeout=30,
    )
    assert posted.status_code == 201, posted.text
    comment = posted.json()
    assert comment["status"] == "approved"
    [attachment] = comment["attachments"]

    reply = requests.post(
        comments_url,
        json={
            "body": "Until the database is the bottleneck.",
            "parent": comment["id"],
            "name": "Guest Reader",
            "email": "guest@example.net",
        },
        timeout=30,
    )
    assert reply.status_code == 201, reply.text

    # 2. A worker sends the reply notification to the comment's author.
    def reply_email():
        procs.check_alive()
        found = [m for m in sent_messages(mail_dir) if m["To"] == seed["writer_email"]]
        return found[0] if found else None

    notification = wait_for("the reply-notification email", reply_email)
    phase("reply notification sent by a worker")
    assert "Guest Reader" in notification.as_string()
    worker_logs = procs.log("worker1") + procs.log("worker2")
    # Comment emails leave through the outbox: the web queues the row's delivery task.
    assert re.search(r"deliver_outbox_message\[[^]]+\] succeeded in [^:]+: True", worker_logs)
    assert "deliver_outbox_message" not in procs.log("gunicorn")

    # 3. The attachment is an object in the bucket, served by the site from there.
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    originals = [k for k in keys if "thumb" not in k]
    assert len(originals) == 1, keys
    stored = s3.get_object(Bucket=BUCKET, Key=originals[0])["Body"].read()
    assert stored.startswith(b"\x89PNG")
    assert attachment["url"].startswith(f"{site}/attachments/")  # the site's view, not S3
    served = requests.get(attachment["url"], timeout=30)
    assert served.status_code == 200
    assert served.content == stored
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]

    # 4. An editor sends an issue from the admin; two workers send it to 1,000 readers.
    editor = requests.Session()
    editor.get(f"{site}/admin/login/", timeout=30)
    login = editor.post(
        f"{site}/admin/login/",
        data={**seed["editor"], "csrfmiddlewaretoken": editor.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    assert login.status_code == 302, login.text[:2000]
    action = editor.post(
        f"{site}/admin/newsletter/issue/",
        data={
            "action": "send",
            "_selected_action": seed["issue"],
            "index": 0,
            # The confirming POST of the "Send to subscribers" confirmation page.
            "post": "yes",
            "csrfmiddlewaretoken": editor.cookies["csrftoken"],
        },
        timeout=30,
    )
    assert action.status_code == 200
    assert f"queued for {SUBSCRIBERS} new subscribers" in action.text

    def issue_sent():
        procs.check_alive()
        with psycopg.connect(**{**db_params, "autocommit": True}) as conn:
            status = conn.execute(
                "SELECT status FROM newsletter_issue WHERE id = %s", [seed["issue"]]
            ).fetchone()[0]
            counts = dict(
                conn.execute(
                    "SELECT status, count(*) FROM newsletter_delivery WHERE issue_id = %s"
                    " GROUP BY status",
                    [seed["issue"]],
                ).fetchall()
            )
        return counts if status == "sent" else None

    phase("issue queued from the admin")
    counts = wait_for("the issue to be sent", issue_sent, timeout=2 * WAIT, every=1)
    phase("issue sent")
    assert counts == {"sent": SUBSCRIBERS}

    recipients = Counter(
        m["To"] for m in sent_messages(mail_dir) if m["Subject"] == seed["issue_subject"]
    )
    assert sum(recipients.values()) == SUBSCRIBERS
    assert set(recipients) == set(seed["subscribers"])
    assert max(recipients.values()) == 1

    # Both workers sent batches, and what their logs report adds up to every email.
    batch = re.compile(r"send_issue_batch\[[^]]+\] succeeded in [\d.]+s: (\d+)")
    per_worker = {
        name: sum(int(n) for n in batch.findall(procs.log(name))) for name in ("worker1", "worker2")
    }
    print(f"newsletter emails sent per worker: {per_worker}")
    assert all(per_worker.values()), per_worker
    assert sum(per_worker.values()) == SUBSCRIBERS
