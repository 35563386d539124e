"""The demo's month of moderation history (``load_demo_staff``) and the
``insights_backfill`` command: a newcomer's desk has work on it and their insights
page has a month to chart."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from articles.management.commands.load_demo import ensure_groups, ensure_moderator, load_content
from comments.models import Comment, ModerationLog, OutboxMessage
from comments.spam_model import DECISIONS
from staff import demo
from staff.models import DailyStat
from staff.rollups import daily_stats_rollup
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db
# A week is enough to see the month's shape (and five times cheaper).
DAYS = 7


@pytest.fixture
def history(settings):
    settings.COMMENTS_MODERATION = "first_time_guests"
    now = timezone.now()
    ensure_moderator(ensure_groups().values())
    load_content(now)
    made = demo.history_load(now=now, days=DAYS)
    return now, made


def demo_comments():
    return Comment.objects.filter(guest_email__endswith=f"@{demo.DOMAIN}")


def test_some_comments_wait_on_the_desk_and_two_are_flagged(history):
    pending = demo_comments().filter(status=Comment.Status.PENDING)
    assert pending.count() == len(demo.WAITING)
    assert Comment.objects.filter(flag_count__gt=0).count() == 2


def test_a_month_was_held_by_the_rules_and_decided_by_two_moderators(history):
    now, made = history
    assert made == demo_comments().count() > 4 * DAYS
    days = {c.date() for c in demo_comments().values_list("created_at", flat=True)}
    assert len(days) >= DAYS
    reasons = {
        r[0].partition(":")[0] for r in demo_comments().values_list("moderation_reasons", flat=True)
    }
    assert {"first_time_guest", "too_many_links", "blocked_word"} <= reasons
    decided = ModerationLog.objects.filter(action__in=DECISIONS)
    assert set(decided.values_list("actor_name", flat=True)) == {"moderator", "night-desk"}
    for comment_at, decided_at in decided.values_list("comment__created_at", "created_at"):
        assert comment_at < decided_at <= now


def test_the_demo_leaves_no_announcement_for_a_worker(history):
    waiting = OutboxMessage.objects.filter(comment__in=demo_comments(), sent_at__isnull=True)
    assert not waiting.exists()


def test_a_second_run_makes_nothing(history):
    before = Comment.objects.count(), ModerationLog.objects.count()
    assert demo.history_load() == 0
    assert (Comment.objects.count(), ModerationLog.objects.count()) == before


def test_the_demo_counts_its_month_into_the_insights(history):
    now, _ = history
    assert demo.demo_rollups(now=now) > 0
    days = DailyStat.objects.filter(metric="decisions").values_list("day", flat=True)
    assert len(set(days)) >= DAYS - 1


def test_the_command_says_what_it_made_and_trains_the_filter(settings):
    settings.COMMENTS_MODERATION = "first_time_guests"
    settings.COMMENTS_SPAM_MODEL_MIN_EXAMPLES = 4 * DAYS
    ensure_moderator(ensure_groups().values())
    load_content(timezone.now())
    out = StringIO()
    call_command("load_demo_staff", "--days", str(DAYS), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("History:") and "6 waiting on the desk" in lines[0]
    assert lines[1].startswith("Insights:") and "learned filter v1" in lines[1]


def test_backfill_counts_the_days_asked_for():
    article = make_article()
    comment = make_comment(article)
    three_days_ago = timezone.now() - timedelta(days=3)
    Comment.objects.filter(pk=comment.pk).update(created_at=three_days_ago)
    out = StringIO()
    call_command("insights_backfill", "--days", "5", stdout=out)
    assert out.getvalue().startswith("Counted 5 days:")
    stat = DailyStat.objects.get(metric="comments")
    assert (stat.day, stat.value) == (timezone.localdate(three_days_ago), 1)


def test_backfill_since_a_date_counts_as_the_hourly_task_would():
    make_comment(make_article())
    today = timezone.localdate()
    call_command("insights_backfill", "--since", str(today - timedelta(days=2)), stdout=StringIO())
    by_command = set(DailyStat.objects.values_list("day", "metric", "dimension", "value"))
    DailyStat.objects.all().delete()
    daily_stats_rollup(days=2)
    assert set(DailyStat.objects.values_list("day", "metric", "dimension", "value")) == by_command


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "last tuesday"], "is not a date"),
        (["--days", "0"], "at least 1"),
        (["--since", "2999-01-01"], "before today"),
    ],
)
def test_backfill_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("insights_backfill", *args, stdout=StringIO())
