"""The newsroom's insights: each chart's numbers, from the daily roll-ups
(``staff.rollups``) for past days and counted live for today, in a fixed number of
queries however many rows there are. ``staff.charts`` draws them and writes the CSV."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from comments.models import Comment, SpamModel
from newsletter.models import Issue
from staff.models import DailyStat
from staff.rollups import WAIT_BUCKETS, day_counts


@dataclass
class Chart:
    """One chart: ``labels`` along the x axis and one list of values per series."""

    slug: str
    title: str
    counts: str  # what it counts, said under the title
    labels: list[str]
    series: dict[str, list[float]] = field(default_factory=dict)
    kind: str = "line"  # line, bar or stacked


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


# Metrics the page shows summed over the period, never day by day.
PERIOD_METRICS = ("article", "reason", "hour")


def _figures(*, start: date, end: date, section: str) -> list[tuple[date, str, str, int]]:
    """``(day, metric, dimension without the section, value)`` in the range: two queries
    for the roll-ups (``PERIOD_METRICS`` summed, with no day), and today's counted live
    (``day_counts``)."""
    today = timezone.localdate()
    past = DailyStat.objects.filter(
        day__gte=start, day__lte=min(end, today - timedelta(days=1))
    ).order_by()
    rows = list(
        past.exclude(metric__in=PERIOD_METRICS).values_list("day", "metric", "dimension", "value")
    )
    # Charted over the whole period only: summed by the database (over a year, most of
    # the rows), with no day.
    sums = past.filter(metric__in=PERIOD_METRICS).values_list("metric", "dimension")
    rows += [(None, m, d, v) for m, d, v in sums.annotate(total=Sum("value"))]
    if start <= today <= end:
        rows += [(today, m, d, v) for (m, d), v in day_counts(day=today).items()]
    figures = []
    for day, metric, dimension, value in rows:
        slug, _sep, rest = dimension.partition("|")
        if section and slug not in (section, "*"):  # "*": not about one section
            continue
        # Comments per section and votes by section keep the section's slug.
        keep = metric in ("comments", "votes") or not rest
        figures.append((day, metric, dimension if keep else rest, value))
    return figures


def percentile_minutes(buckets: Counter, share: float) -> float | None:
    """The wait (minutes, the bucket's upper bound) within which ``share`` of the
    decisions came; None with no decisions. A bucket past the last bound reads as
    twice the last bound."""
    total = sum(buckets.values())
    if not total:
        return None
    seen = 0
    for index in range(len(WAIT_BUCKETS) + 1):
        seen += buckets.get(index, 0)
        if seen >= share * total:
            return float(WAIT_BUCKETS[index] if index < len(WAIT_BUCKETS) else 2 * WAIT_BUCKETS[-1])
    return None


def _per_day(figures, metric, days) -> dict[str, list[float]]:
    """Series per dimension over ``days`` for one metric."""
    position = {day: n for n, day in enumerate(days)}
    series = defaultdict(lambda: [0] * len(days))
    for day, m, dimension, value in figures:
        if m == metric:
            series[dimension][position[day]] += value
    return dict(sorted(series.items()))


def _reason_label(code: str) -> str:
    """A hold reason as the desk names it ("Links"), else as the card describes it."""
    from comments.moderation import describe
    from staff.forms import REASONS

    return str(dict(REASONS).get(code) or describe(code))


def _comment_charts(figures, days, labels) -> list[Chart]:
    totals = Counter()
    for _day, metric, dimension, value in figures:
        if metric in ("article", "reason"):
            totals[metric, dimension] += value
    top = [(d, v) for (m, d), v in totals.most_common() if m == "article"][:10]
    titles = dict(
        Article.objects.filter(pk__in=[int(d) for d, _v in top]).values_list("pk", "title")
    )
    statuses = _per_day(figures, "status", days)
    hours = Counter()
    for _day, metric, dimension, value in figures:
        if metric == "hour":
            hours[dimension] += value
    return [
        Chart(
            "comments",
            _("Comments per day"),
            _("comments posted each day, by section"),
            labels,
            _per_day(figures, "comments", days),
        ),
        Chart(
            "hours",
            _("Comments by hour of day"),
            _(
                "comments posted in the period, and those held by the rules, by the hour "
                "of the day they were posted (site time)"
            ),
            [f"{hour:02d}" for hour in range(24)],
            {
                _("posted"): [hours[f"{hour:02d}|posted"] for hour in range(24)],
                _("held"): [hours[f"{hour:02d}|held"] for hour in range(24)],
            },
            kind="bar",
        ),
        Chart(
            "top-articles",
            _("Most commented articles"),
            _("comments posted in the period, the ten articles with most"),
            [titles.get(int(d), d) for d, _v in top],
            {_("comments"): [v for _d, v in top]},
            kind="bar",
        ),
        Chart(
            "statuses",
            _("Approved, held, rejected, spam"),
            _("comments posted each day, by their status now"),
            labels,
            {
                str(Comment.Status(s).label): statuses.get(s, [0] * len(days))
                for s in ("approved", "pending", "rejected", "spam")
            },
            kind="stacked",
        ),
        Chart(
            "reasons",
            _("Held by reason"),
            _("comments posted in the period and held, by each reason they were held for"),
            [_reason_label(d) for (m, d), _v in sorted(totals.items()) if m == "reason"],
            {_("comments"): [v for (m, _d), v in sorted(totals.items()) if m == "reason"]},
            kind="bar",
        ),
    ]


def _percentiles(buckets: dict, keys: list) -> dict[str, list]:
    return {
        _("median"): [percentile_minutes(buckets[key], 0.5) for key in keys],
        _("90th percentile"): [percentile_minutes(buckets[key], 0.9) for key in keys],
    }


def _moderation_charts(figures, days, labels) -> list[Chart]:
    by_day = defaultdict(Counter)
    by_moderator = defaultdict(Counter)
    for day, metric, dimension, value in figures:
        if metric == "wait":
            who, _sep, bucket = dimension.rpartition("|")
            by_day[day][int(bucket)] += value
            by_moderator[who][int(bucket)] += value
    moderators = sorted(by_moderator)

    return [
        Chart(
            "wait",
            _("Time to first decision"),
            _("minutes a comment waited for its first decision: median and 90th percentile"),
            labels,
            _percentiles(by_day, days),
        ),
        Chart(
            "wait-moderators",
            _("Time to first decision, per moderator"),
            _("minutes a comment waited for its first decision, in the period"),
            moderators,
            _percentiles(by_moderator, moderators),
            kind="bar",
        ),
        Chart(
            "decisions",
            _("Decisions per moderator"),
            _("approvals, rejections and spam marks each day"),
            labels,
            _per_day(figures, "decisions", days),
        ),
    ]


def _spam_model_chart() -> Chart:
    fields = ("version", "precision", "recall", "f1")
    models = list(SpamModel.objects.order_by("version").values_list(*fields))
    return Chart(
        "spam-model",
        _("The learned spam filter"),
        _("precision, recall and F1 of each version on its held-out fifth"),
        [f"v{v}" for v, *_rest in models],
        {
            _("precision"): [round(p, 3) for _v, p, _r, _f in models],
            _("recall"): [round(r, 3) for _v, _p, r, _f in models],
            _("F1"): [round(f, 3) for _v, _p, _r, f in models],
        },
        kind="bar",
    )


def _ratings_charts(figures, days, labels) -> list[Chart]:
    position = {day: n for n, day in enumerate(days)}
    per_day = [0] * len(days)
    stars_by_section = defaultdict(lambda: [0] * 5)
    by_article = defaultdict(Counter)
    for day, metric, dimension, value in figures:
        if metric != "votes":
            continue
        slug, article, stars = dimension.rsplit("|", 2)
        per_day[position[day]] += value
        stars_by_section[slug][int(stars) - 1] += value
        by_article[int(article)][int(stars)] += value
    average = {
        pk: sum(s * n for s, n in votes.items()) / sum(votes.values())
        for pk, votes in by_article.items()
    }
    ranked = sorted(average, key=lambda pk: (-average[pk], pk))
    liked, disliked = ranked[:5], [pk for pk in reversed(ranked) if pk not in ranked[:5]][:5]
    titles = dict(Article.objects.filter(pk__in=ranked[:5] + disliked).values_list("pk", "title"))

    def ranking(slug, title, counts, pks):
        stars = {_("average stars"): [round(average[pk], 2) for pk in pks]}
        return Chart(slug, title, counts, [titles.get(pk, pk) for pk in pks], stars, kind="bar")

    return [
        Chart(
            "votes",
            _("Votes per day"),
            _("star ratings cast each day"),
            labels,
            {_("votes"): per_day},
        ),
        Chart(
            "stars",
            _("Stars by section"),
            _("votes cast in the period, by stars given"),
            ["1", "2", "3", "4", "5"],
            dict(sorted(stars_by_section.items())),
            kind="bar",
        ),
        ranking(
            "liked",
            _("Most liked articles"),
            _("highest average stars from votes cast in the period"),
            liked,
        ),
        ranking(
            "disliked",
            _("Least liked articles"),
            _("lowest average stars from votes cast in the period"),
            disliked,
        ),
    ]


def _newsletter_charts(figures, days, labels, *, start, end) -> list[Chart]:
    series = _per_day(figures, "newsletter", days)
    zero = [0] * len(days)
    asked, confirmed = series.get("asked", zero), series.get("confirmed", zero)
    unsubscribed = series.get("unsubscribed", zero)
    rate = [round(c / a, 3) if a else None for a, c in zip(asked, confirmed, strict=True)]
    # Each unsubscription counts against the newest issue sent on or before its day.
    issues = list(
        Issue.objects.filter(sent_at__date__lte=end, sent_at__isnull=False)
        .order_by("-sent_at")
        .values_list("subject", "sent_at")[:30]
    )
    issues.reverse()
    sent_days = [timezone.localtime(at).date() for _s, at in issues]
    per_issue = [0] * len(issues)
    for n, day in enumerate(days):
        owner = max((i for i, d in enumerate(sent_days) if d <= day), default=None)
        if owner is not None:
            per_issue[owner] += unsubscribed[n]
    shown = [i for i, d in enumerate(sent_days) if d >= start or per_issue[i]]
    return [
        Chart(
            "subscriptions",
            _("Newsletter subscriptions"),
            _("subscriptions asked for, confirmed and ended each day"),
            labels,
            {_("asked for"): asked, _("confirmed"): confirmed, _("unsubscribed"): unsubscribed},
        ),
        Chart(
            "confirmation-rate",
            _("Confirmation rate"),
            _("confirmations that day per subscription asked for that day"),
            labels,
            {_("rate"): rate},
        ),
        Chart(
            "unsubscribes",
            _("Unsubscribes per issue"),
            _("unsubscriptions in the period, counted against the newest issue sent before"),
            [issues[i][0] for i in shown],
            {_("unsubscribed"): [per_issue[i] for i in shown]},
            kind="bar",
        ),
    ]


def insights_charts(*, start: date, end: date, section: str = "") -> list[Chart]:
    """Every chart of the page for the days ``start``..``end`` and a section slug
    (empty: all)."""
    figures = _figures(start=start, end=end, section=section)
    days = _days(start, end)
    labels = [day.isoformat() for day in days]
    return [
        *_comment_charts(figures, days, labels),
        *_moderation_charts(figures, days, labels),
        _spam_model_chart(),
        *_ratings_charts(figures, days, labels),
        *_newsletter_charts(figures, days, labels, start=start, end=end),
    ]
