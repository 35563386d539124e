"""The insights bench's year (``load_bench_insights``): written by the database in a
few statements, it must still be rows the insights count like any others."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from comments.models import Comment, ModerationLog
from staff import bench_data
from staff.insights import insights_charts

pytestmark = pytest.mark.django_db


def load(*args):
    out = StringIO()
    call_command("load_bench_insights", *args, stdout=out)
    return out.getvalue()


def test_the_year_is_spread_over_the_days_with_each_kind_in_its_share():
    out = load("--comments", "2000", "--days", "40")
    assert "2,000 comments and 400 decisions loaded" in out
    comments = Comment.objects.all()
    assert comments.count() == 2000
    statuses = Counter(comments.values_list("status", flat=True))
    assert statuses == {"approved": 1840, "rejected": 80, "spam": 80}
    days = {timezone.localtime(at).date() for at in comments.values_list("created_at", flat=True)}
    assert len(days) >= 40
    first, last = min(days), max(days)
    assert (timezone.localdate() - first).days == 40 and last <= timezone.localdate()


def test_each_decided_comment_has_one_decision_after_it_was_posted():
    load("--comments", "500", "--days", "10")
    decided = Comment.objects.filter(version=1)
    logs = ModerationLog.objects.all()
    assert sorted(logs.values_list("comment_id", flat=True)) == sorted(
        decided.values_list("pk", flat=True)
    )
    for posted, decided_at, name in logs.values_list(
        "comment__created_at", "created_at", "actor_name"
    ):
        assert timedelta(0) <= decided_at - posted < timedelta(hours=4)
        assert decided_at <= timezone.now()  # none in the future, whatever the hour
        assert name in bench_data.MODERATORS


def test_the_insights_count_the_year_as_its_rows_say():
    load("--comments", "900", "--days", "30")
    today = timezone.localdate()
    charts = {c.slug: c for c in insights_charts(start=today - timedelta(days=30), end=today)}
    posted = sum(sum(values) for values in charts["comments"].series.values())
    assert posted == Comment.objects.count() == 900
    decisions = sum(sum(values) for values in charts["decisions"].series.values())
    assert decisions == ModerationLog.objects.count()


def test_a_second_run_loads_nothing_and_recounts_the_last_week():
    load("--comments", "300", "--days", "10")
    ids = set(Comment.objects.values_list("pk", flat=True))
    assert "300 comments already loaded" in load("--comments", "300", "--days", "10")
    assert set(Comment.objects.values_list("pk", flat=True)) == ids


def test_a_larger_year_replaces_a_smaller_one():
    load("--comments", "300", "--days", "10")
    load("--comments", "600", "--days", "10")
    assert Comment.objects.count() == 600
    assert ModerationLog.objects.count() == 120


def test_bad_sizes_are_refused():
    with pytest.raises(CommandError, match="must be positive"):
        load("--comments", "0")
