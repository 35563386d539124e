"""Django's PostgreSQL backend, with a health check that costs no round trip while the
connection is quiet.

Django checks a kept connection (``CONN_HEALTH_CHECKS``) by running ``SELECT 1`` at the
first query of every request: a round trip to the database (and a wake-up of its
backend) per page view and per post, about a tenth of a guest post's queries. Between
requests nothing is in flight on a kept connection, so the server sends nothing on it,
unless it is going away: a restart, ``pg_terminate_backend``, an idle timeout or a
crash each leave a message or the end of the stream to read. So the socket is polled
first, without waiting: nothing to read means the connection is as good as the ping
would have found it; anything to read (or a connection psycopg already knows is
broken, or one left in a transaction) gets Django's own ``SELECT 1``, which then
fails and makes Django reconnect. After an error (``errors_occurred``) the ping runs
as before.

A network that silently drops the connection is not seen by the poll; it was not seen
by the ping either (which would wait for the TCP timeout).

A commit's cache writes are sent together, as with SQLite (``newsite.db_hooks``).

With server-side binding (``DB_PREPARED_STATEMENTS``, newsite/settings.py) a statement
carries at most 65,535 parameters, the protocol's limit, where Django's own client-side
binding has none: a large delete's batch of ids, a big ``IN`` list or ``bulk_create``
would fail. ``ServerBindingCursor`` binds such a statement on the client, as Django does
by default; every other statement keeps server-side binding.
"""

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq

from newsite.db_hooks import BatchedCommitHooks

# The most parameters the PostgreSQL protocol carries with one statement.
MAX_PARAMS = 65_535


class ServerBindingCursor(base.ServerBindingCursor):
    def execute(self, query, params=None, *args, **kwargs):
        if params is not None and len(params) > MAX_PARAMS:
            query, params = psycopg.ClientCursor(self.connection).mogrify(query, params), None
        return super().execute(query, params, *args, **kwargs)


class DatabaseWrapper(BatchedCommitHooks, base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:
            params["cursor_factory"] = ServerBindingCursor
        return params

    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if self.errors_occurred or not _quiet(connection):
            return super().is_usable()
        return True


def _quiet(connection) -> bool:
    """Whether the idle connection has nothing waiting to be read."""
    if connection.info.transaction_status != pq.TransactionStatus.IDLE:
        return False
    try:
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except (AttributeError, OSError, ValueError):  # no poll() here, or no socket left
        return False
