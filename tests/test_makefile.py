"""The two commands a newcomer types: what `make test` runs (a dry run of make)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="needs GNU make")


def dry_run(target: str) -> str:
    # -n prints the recipes without running them; -B so an up-to-date venv still shows.
    return subprocess.run(  # noqa: S603 - our own Makefile, fixed arguments
        [MAKE, "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_make_test_needs_no_vulnerability_database():
    """`make test` must pass offline and give the same answer every time: the audit,
    which asks a service on the network, is its own target."""
    recipe = dry_run("test")
    assert "ruff check" in recipe and "pytest" in recipe
    assert "pip-audit" not in recipe


def test_make_audit_still_audits_both_locks_strictly():
    recipe = dry_run("audit")
    assert "pip-audit --strict" in recipe
    assert "-r requirements.lock -r requirements-dev.lock" in recipe


def test_make_run_on_another_port_links_to_that_port():
    """Emails (sent with no request at hand) and the demo banner use SITE_URL."""
    recipe = subprocess.run(  # noqa: S603 - our own Makefile, fixed arguments
        [MAKE, "-n", "-B", "run", "PORT=8790"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "SITE_URL=http://127.0.0.1:8790 .venv/bin/python manage.py runserver 127.0.0.1:8790" in (
        recipe
    )
    assert "SITE_URL=http://127.0.0.1:8790 .venv/bin/python manage.py load_demo" in recipe
