"""Plumbing for tests that run the site as separate processes (the scaled topology,
the SQLite concurrency test): free ports, polling, subprocesses with their logs."""

import os
import secrets
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
WAIT = 60  # seconds any one outcome may take


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, timeout: float = WAIT, every: float = 0.3):
    """Poll ``check()`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


class Processes:
    """Subprocesses with their logs in files; all stopped on exit, logs printed on failure."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(  # noqa: S603 - our own commands
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.running[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def check_alive(self):
        for name, proc in self.running.items():
            if proc.poll() is not None:
                pytest.fail(f"{name} exited with {proc.returncode}:\n{self.log(name)[-3000:]}")

    def stop_all(self):
        for proc in self.running.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.running.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def dump(self):
        for path in sorted(self.logs.glob("*.log")):
            print(f"\n===== {path.name} (last 6000 characters) =====")
            print(path.read_text(errors="replace")[-6000:])


def run(args: list[str], env: dict, timeout: int = 180) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextmanager
def own_database(database_url: str):
    """A fresh PostgreSQL database on the server DATABASE_URL names, dropped after."""
    import psycopg

    url = urlparse(database_url)
    if url.scheme not in ("postgres", "postgresql", "pgsql"):
        pytest.fail(f"REQUIRE_TOPOLOGY=1 needs DATABASE_URL on PostgreSQL, got {url.scheme}://")
    name = f"newsite_topology_{secrets.token_hex(4)}"
    server = dict(
        host=url.hostname or "localhost",
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
    )
    with psycopg.connect(**server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url._replace(path=f"/{name}").geturl(), {**server, "dbname": name}
    finally:
        with psycopg.connect(**server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(**settings) -> dict:
    """The environment of a site process run as in production (``DEBUG=0``) but over
    plain HTTP on loopback, with ``settings`` on top. Nothing of this test process's
    own configuration leaks in (its database, Redis, Celery, S3 and pytest-xdist
    variables): each test names what it wants."""
    own = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in own and not k.startswith(("PYTEST_XDIST_", "CELERY_", "AWS_"))
    }
    env.update(
        PYTHONUNBUFFERED="1",
        DEBUG="0",
        SECRET_KEY="process-test-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback: no TLS proxy in front of the server here.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_MANIFEST="0",
    )
    env.update(settings)
    return env
