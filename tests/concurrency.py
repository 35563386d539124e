"""Running the same code in real concurrent threads (each with its own database
connection) for race tests on PostgreSQL."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

needs_postgresql = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
    ),
]


# The shared cache for real (the PostgreSQL + Redis run sets REDIS_URL): what is counted
# there is round trips to Redis.
needs_redis = pytest.mark.skipif(
    "redis" not in settings.CACHES["default"]["BACKEND"].lower(), reason="needs Redis (REDIS_URL)"
)


def race(n: int, target) -> None:
    """Start ``n`` threads that call ``target(i)`` at the same moment; fail on any error."""
    barrier = threading.Barrier(n)
    errors = []

    def run(i):
        try:
            barrier.wait()
            target(i)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
