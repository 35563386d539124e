"""Insights' daily roll-ups: each day's figures counted once from the rows and kept in
``DailyStat``, so the insights page reads a year in one query (today is counted live
with the same function).

Comment figures are keyed ``<section slug>|<what>``: the section filter is a prefix.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractHour
from django.utils import timezone

from comments.models import Comment, ModerationLog
from comments.spam_model import DECISIONS
from newsletter.models import Subscription
from ratings.models import Vote
from staff.models import DailyStat

# What each metric counts (dimension after the section slug):
METRICS = {
    "comments": "comments posted (section)",
    "article": "comments posted (article id)",
    "status": "comments posted, by their status now",
    "reason": "comments posted and held, by each reason they were held for",
    "hour": "comments posted, and those held by the rules, by hour of the day (site time)",
    "decisions": "a moderator's decisions (approve, reject, spam), by moderator",
    "wait": "first decisions, by moderator and by how long the comment waited (bucket)",
    "votes": "votes cast (article id and stars)",
    "newsletter": "subscriptions asked for, confirmed, unsubscribed (section '*')",
}
# Upper bounds (minutes) of the waiting-time buckets; the last is "longer".
WAIT_BUCKETS = (1, 2, 5, 10, 15, 30, 60, 120, 240, 480, 720, 1440, 2880, 10080)
# Days counted again on every run: a decision on a comment posted days ago changes
# that day's "status now".
RECOUNT_DAYS = 7


def wait_bucket(seconds: float) -> int:
    """The index of the first bucket the wait fits in (``len(WAIT_BUCKETS)``: longer)."""
    minutes = seconds / 60
    for index, bound in enumerate(WAIT_BUCKETS):
        if minutes <= bound:
            return index
    return len(WAIT_BUCKETS)


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def day_counts(*, day: date) -> Counter:
    """Every figure of one day, counted from the rows in six queries whatever the
    volume: ``{(metric, dimension): value}``."""
    start, end = _bounds(day)
    counts = Counter()
    posted = Comment.objects.filter(created_at__gte=start, created_at__lt=end).annotate(
        hour=ExtractHour("created_at")  # in the site's time zone, as the day's bounds
    )
    grouped = posted.values("article__section__slug", "article_id", "status", "hour").annotate(
        n=Count("pk")
    )
    for row in grouped:
        section = row["article__section__slug"]
        counts["comments", section] += row["n"]
        counts["article", f"{section}|{row['article_id']}"] += row["n"]
        counts["status", f"{section}|{row['status']}"] += row["n"]
        counts["hour", f"{section}|{row['hour']:02d}|posted"] += row["n"]
    held = posted.exclude(moderation_reasons=[]).values_list(
        "article__section__slug", "moderation_reasons", "hour"
    )
    for section, reasons, hour in held:
        counts["hour", f"{section}|{hour:02d}|held"] += 1
        for code in {reason.partition(":")[0] for reason in reasons}:
            counts["reason", f"{section}|{code}"] += 1
    decided = ModerationLog.objects.filter(
        action__in=DECISIONS, created_at__gte=start, created_at__lt=end, comment__isnull=False
    )
    for row in decided.values("comment__article__section__slug", "actor_name").annotate(
        n=Count("pk")
    ):
        who = row["actor_name"] or "?"
        counts["decisions", f"{row['comment__article__section__slug']}|{who}"] += row["n"]
    earlier = ModerationLog.objects.filter(
        comment=OuterRef("comment"), action__in=DECISIONS, id__lt=OuterRef("id")
    )
    firsts = decided.filter(~Exists(earlier)).values_list(
        "comment__article__section__slug", "actor_name", "comment__created_at", "created_at"
    )
    for section, who, posted_at, decided_at in firsts:
        bucket = wait_bucket((decided_at - posted_at).total_seconds())
        counts["wait", f"{section}|{who or '?'}|{bucket}"] += 1
    _ratings_and_newsletter(counts, start, end)
    return counts


def _ratings_and_newsletter(counts: Counter, start: datetime, end: datetime) -> None:
    """Votes cast that day by article and stars, and the newsletter's subscriptions
    asked for, confirmed and ended that day (two queries)."""
    votes = Vote.objects.filter(created_at__gte=start, created_at__lt=end)
    for row in votes.values("article__section__slug", "article_id", "stars").annotate(
        n=Count("pk")
    ):
        key = f"{row['article__section__slug']}|{row['article_id']}|{row['stars']}"
        counts["votes", key] += row["n"]

    def on_day(name):
        return Q(**{f"{name}__gte": start, f"{name}__lt": end})

    that_day = on_day("created_at") | on_day("confirmed_at") | on_day("unsubscribed_at")
    totals = Subscription.objects.filter(that_day).aggregate(
        asked=Count("pk", filter=on_day("created_at")),
        confirmed=Count("pk", filter=on_day("confirmed_at")),
        unsubscribed=Count("pk", filter=on_day("unsubscribed_at")),
    )
    for name, value in totals.items():
        if value:
            counts["newsletter", f"*|{name}"] += value


@transaction.atomic
def daily_stats_rollup(*, today: date | None = None, days: int = RECOUNT_DAYS) -> int:
    """Count the ``days`` days before ``today`` again and upsert them (a figure that
    fell to nothing is deleted). Returns the number of rows written."""
    today = today or timezone.localdate()
    written = 0
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        rows = [
            DailyStat(day=day, metric=metric, dimension=dimension, value=value)
            for (metric, dimension), value in day_counts(day=day).items()
        ]
        kept = {(row.metric, row.dimension) for row in rows}
        stale = [
            pk
            for pk, metric, dimension in DailyStat.objects.filter(day=day).values_list(
                "pk", "metric", "dimension"
            )
            if (metric, dimension) not in kept
        ]
        DailyStat.objects.filter(pk__in=stale).delete()
        DailyStat.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["day", "metric", "dimension"],
            update_fields=["value"],
        )
        written += len(rows)
    return written


def daily_stats_backfill(*, since: date, today: date | None = None) -> int:
    """Count every day from ``since`` to yesterday (first deployment, or after a gap)."""
    today = today or timezone.localdate()
    return daily_stats_rollup(today=today, days=max((today - since).days, 0))
