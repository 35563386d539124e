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
