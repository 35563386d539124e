import os
from collections import Counter
from contextlib import contextmanager

import pytest
from django.conf import settings as settings_module
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.utils import translation

from tests.factories import make_user


@pytest.fixture(autouse=True, scope="session")
def _plain_static_storage():
    """Serve static files unhashed: the suite must not depend on a prior collectstatic."""
    plain = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain):
        yield


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """PBKDF2 at Django's iteration count takes ~0.5 s a password on CI's machine, paid
    for every user a test makes and every log-in (minutes over the suite). Hashing is
    Django's own, tested there; the suite hashes with the fast hasher Django's testing
    docs recommend. Servers the suite starts as processes keep the real ones."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def _one_redis_database_per_worker():
    """Parallel workers (pytest-xdist) must not share a Redis database: clearing the
    cache between tests (FLUSHDB) would wipe another worker's rate-limit counters."""
    cache_settings = settings_module.CACHES["default"]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    if "redis" not in cache_settings["BACKEND"].lower() or not worker.startswith("gw"):
        yield
        return
    # Worker N uses the database REDIS_URL names plus N, so two checkouts given
    # REDIS_URL=.../10 and .../20 can run their suites side by side.
    base, _, first = cache_settings["LOCATION"].rpartition("/")
    number = (int(first) if first.isdigit() else 1) + int(worker.removeprefix("gw"))
    location = f"{base}/{number}" if base.count("/") >= 2 else cache_settings["LOCATION"]
    with override_settings(CACHES={"default": {**cache_settings, "LOCATION": location}}):
        yield


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """Tests post far faster than people; the rate-limit tests set tight limits."""
    for name in (
        "COMMENTS_RATE_LIMIT",
        "LIKES_RATE_LIMIT",
        "FLAGS_RATE_LIMIT",
        "VOTES_RATE_LIMIT",
        "UPLOADS_RATE_LIMIT",
        "NEWSLETTER_RATE_LIMIT",
    ):
        setattr(settings, name, "100000/h")
    settings.COMMENTS_MIN_FILL_SECONDS = 0


@pytest.fixture(autouse=True, scope="session")
def _short_demo_history():
    """``load_demo`` makes a month of moderation history (~230 comments posted and
    decided through the services: seconds each time). Tests of the whole demo get two
    days of it; tests/staff/test_demo_history.py tests the history itself."""
    from staff import demo

    month, demo.DAYS = demo.DAYS, 2
    yield
    demo.DAYS = month


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request in another leaves its
    language active in the thread (LocaleMiddleware activates, nothing deactivates)."""
    translation.activate(settings_module.LANGUAGE_CODE)
    yield
    translation.activate(settings_module.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reader(db):
    return make_user("reader")


@pytest.fixture
def editor(db):
    return make_user("editor", is_staff=True, is_superuser=True)


@pytest.fixture
def moderator(db):
    from django.contrib.auth.models import Permission

    user = make_user("moderator", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    return user


@pytest.fixture(autouse=True, scope="session")
def _tasks_in_process():
    """Run Celery tasks in-process, as the embedded defaults do, whatever REDIS_URL says."""
    from newsite.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


# The API fuzz (tests/api/) records the statuses its cases got; the sum is shown at the
# end of the run. Here, not in tests/api/conftest.py: under xdist only the controller
# prints, and it loads this file only.
FUZZ_PROPERTY = "fuzz_statuses"


def pytest_terminal_summary(terminalreporter):
    statuses, tests = Counter(), 0
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "teardown":
                continue
            for name, value in getattr(report, "user_properties", []):
                if name == FUZZ_PROPERTY:
                    statuses.update({int(k): v for k, v in value.items()})
                    tests += 1
    if tests:
        answers = ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
        terminalreporter.write_line(
            f"API fuzz: {statuses.total()} generated cases in {tests} tests ({answers})"
        )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a change registers for after its commit (the article's version bump,
    emails), as a real request's transaction would. The test's own transaction never
    commits, so version bumps registered earlier in it are dropped first (else a change
    would be deduplicated against a bump that never runs)."""
    from articles.versions import _Bump

    @contextmanager
    def run():
        connection.run_on_commit = [
            entry for entry in connection.run_on_commit if not isinstance(entry[1], _Bump)
        ]
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    return run


@pytest.fixture
def round_trips(monkeypatch):
    """How many times the Redis client sent something (a command, or a whole pipeline)."""
    from redis.connection import AbstractConnection

    sent = []
    real = AbstractConnection.send_packed_command
    monkeypatch.setattr(
        AbstractConnection,
        "send_packed_command",
        lambda self, *args, **kwargs: sent.append(1) or real(self, *args, **kwargs),
    )
    return sent
