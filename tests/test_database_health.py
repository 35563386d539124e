"""The kept PostgreSQL connection's health check (newsite/postgresql/base.py): a quiet
connection is trusted without a round trip, and one the server has closed is still
found and replaced before a request uses it."""

import time

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoPostgres

from tests.concurrency import needs_postgresql

pytestmark = needs_postgresql


@pytest.fixture(autouse=True)
def _fresh_connection_afterwards():
    yield
    connection.close()  # the test database's teardown reconnects


@pytest.fixture
def pings(monkeypatch):
    """The SELECT 1s Django's own check sends."""
    sent = []
    original = DjangoPostgres.is_usable

    def counted(self):
        sent.append(self.alias)
        return original(self)

    monkeypatch.setattr(DjangoPostgres, "is_usable", counted)
    return sent


def _terminate_this_connection():
    pid = connection.cursor().connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(**{**params, "autocommit": True}) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the server's goodbye reaches the socket
        if not connection.is_usable():
            return
        time.sleep(0.01)
    raise AssertionError("the terminated connection still looked usable")


def test_it_trusts_a_quiet_idle_connection_without_a_ping(pings):
    connection.ensure_connection()
    assert connection.is_usable()
    assert pings == []


def test_it_pings_a_connection_inside_a_transaction(pings):
    connection.ensure_connection()
    connection.set_autocommit(False)
    try:
        connection.cursor().execute("SELECT 1")
        assert connection.is_usable()
    finally:
        connection.rollback()
        connection.set_autocommit(True)
    assert pings == ["default"]


def test_it_pings_after_an_error(pings):
    connection.ensure_connection()
    connection.errors_occurred = True
    try:
        assert connection.is_usable()
    finally:
        connection.errors_occurred = False
    assert pings == ["default"]


def test_a_terminated_connection_is_found_unusable(pings):
    _terminate_this_connection()
    assert pings  # something was waiting on the socket: Django's ping confirmed it


def test_the_next_request_reconnects_after_the_server_dropped_the_connection(client):
    _terminate_this_connection()
    # What starts every request in production; the test client skips it.
    close_old_connections()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_statement_the_connection_repeats_is_prepared(api_client, settings):
    """DB_PREPARED_STATEMENTS (on by default): PostgreSQL parses and plans a guest
    post's insert once per connection, not once per post."""
    from tests.factories import make_article

    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    for n in range(6):
        guest = {"body": f"Post {n}.", "name": "Ann", "email": "ann@example.com"}
        url = f"/api/v1/articles/{article.slug}/comments/"
        assert api_client.post(url, guest, format="json").status_code == 201
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any(s.startswith('INSERT INTO "comments_comment"') for s in prepared), prepared


def test_a_statement_with_more_parameters_than_the_protocol_carries_still_runs():
    """A big ``IN`` list (as a large delete's batch of ids is): bound on the client past
    65,535 parameters."""
    from comments.models import Comment

    assert Comment.objects.filter(pk__in=range(1, 70_001)).count() == 0
    assert Comment.objects.filter(pk__in=range(1, 70_001)).delete() == (0, {})
