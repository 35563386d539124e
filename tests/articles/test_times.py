"""One wording for "how long ago" across the site (articles.times; times.js says the
same in the browser: tests/browser/test_times.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from articles.times import time_ago

NOW = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)

CASES = [
    (timedelta(seconds=0), "just now"),
    (timedelta(seconds=59), "just now"),
    (timedelta(seconds=60), "1 minute ago"),
    (timedelta(seconds=119), "1 minute ago"),
    (timedelta(minutes=2), "2 minutes ago"),
    (timedelta(minutes=59, seconds=59), "59 minutes ago"),
    (timedelta(minutes=60), "1 hour ago"),
    (timedelta(hours=2), "2 hours ago"),
    (timedelta(hours=23, minutes=59), "23 hours ago"),
    (timedelta(hours=24), "yesterday"),
    (timedelta(hours=47, minutes=59), "yesterday"),
    (timedelta(hours=48), "2 days ago"),
    (timedelta(days=6, hours=23), "6 days ago"),
    (timedelta(days=7), "27 May 2025"),
    (timedelta(days=400), "29 April 2024"),
    (timedelta(seconds=-30), "just now"),
]


@pytest.mark.parametrize(("ago", "expected"), CASES)
def test_wording_at_the_boundaries(ago, expected):
    assert time_ago(NOW - ago, now=NOW) == expected


def test_nothing_is_empty():
    assert time_ago(None) == ""
