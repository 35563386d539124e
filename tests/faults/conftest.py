import contextlib
import socket

import pytest
from django.db import connections


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def database_down(db, tmp_path):
    """``with database_down():`` points the default connection at a database that
    cannot be reached: PostgreSQL on a port nothing listens on, SQLite at a path in a
    missing directory. The test's own connection (and its transaction) is put aside
    and restored afterwards."""

    @contextlib.contextmanager
    def down():
        # The wrapper itself: django.db.connection is a proxy to it.
        connection = connections["default"]
        saved = dict(connection.__dict__)
        if connection.vendor == "postgresql":
            unreachable = {"HOST": "127.0.0.1", "PORT": closed_port()}
        else:
            unreachable = {"NAME": str(tmp_path / "missing" / "db.sqlite3")}
        connection.connection = None
        connection.settings_dict = {**connection.settings_dict, **unreachable}
        try:
            yield
        finally:
            connection.__dict__.clear()
            connection.__dict__.update(saved)

    return down


@contextlib.contextmanager
def broker_at_closed_port():
    """Tasks sent to a real Redis broker URL nothing listens on, with the site's own
    publishing settings (fail fast: newsite/settings.py), not run in-process."""
    from newsite.celery import app

    saved = app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.task_always_eager = True
        app.conf.broker_url = saved
        app._pool = None
        app.amqp._producer_pool = None
