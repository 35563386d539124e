"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded one).

They skip on a machine without Chromium, unless REQUIRE_BROWSER=1 (as in CI), where a
missing browser is a failure.
"""

import os
import threading
from functools import wraps
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_an_in_memory_database():
    """On SQLite the test database lives in memory, and the live server's threads all
    use the test's one connection to it (Django's ``connections_override``): two
    requests at once on it can wait on each other for good (seen with /insights/, whose
    sixteen chart images a browser asks for together). The live server then answers
    one request at a time, as a single worker would; PostgreSQL gives each thread its
    own connection and keeps them concurrent. (The test client does not go through
    ``WSGIHandler``, so only live servers are affected.)"""
    if connection.vendor != "sqlite":
        yield
        return
    lock = threading.Lock()
    unlocked = WSGIHandler.__call__

    @wraps(unlocked)
    def one_at_a_time(self, environ, start_response):
        with lock:
            return unlocked(self, environ, start_response)

    WSGIHandler.__call__ = one_at_a_time
    yield
    WSGIHandler.__call__ = unlocked


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (set REQUIRE_BROWSER=1 to make this fail)")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # (making data) are still synchronous code, so Django's guard must stand aside.
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
