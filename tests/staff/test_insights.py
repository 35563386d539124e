"""/insights/ (issue 23): permissions, each chart's numbers against a recount from the
rows of a seeded month, a fixed number of queries, CSV and SVG."""

import csv
import io
import random
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.management.commands.load_demo import ensure_groups
from comments.models import Comment, ModerationLog
from staff import rollups
from staff.insights import _reason_label, insights_charts, percentile_minutes
from staff.models import DailyStat
from staff.tasks import daily_stats_rollup
from tests.factories import make_article, make_comment, make_section, make_user

pytestmark = pytest.mark.django_db

URL = "/insights/"
# The page's queries, however many rows (see the test).
QUERIES = 16
STATUSES = ["approved", "pending", "rejected", "spam"]
REASONS = [[], ["too_fast"], ["learned_spam:0.95:cheap"], ["too_many_links", "first_time_guest"]]


def seed_month(count: int, *, seed: int = 23):
    """``count`` comments over the 30 days before today in two sections, with
    statuses, hold reasons and moderators' decisions at known times."""
    rng = random.Random(seed)
    today = timezone.localdate()
    articles = [make_article(section=make_section(name=f"S{n}", slug=f"s{n}")) for n in (1, 2)]
    mods = [make_user(f"mod{n}", is_staff=True) for n in (1, 2)]
    for n in range(count):
        comment = make_comment(rng.choice(articles), body=f"Comment {n}.")
        day = today - timedelta(days=rng.randint(1, 30))
        posted = timezone.make_aware(
            timezone.datetime.combine(day, timezone.datetime.min.time())
        ) + timedelta(hours=rng.randint(0, 20))
        status = rng.choice(STATUSES)
        Comment.objects.filter(pk=comment.pk).update(
            created_at=posted, status=status, moderation_reasons=rng.choice(REASONS)
        )
        if status != "pending":
            action = {"approved": "approve", "rejected": "reject", "spam": "spam"}[status]
            by = rng.choice(mods)
            ModerationLog.objects.create(
                comment=comment,
                action=action,
                actor=by,
                created_at=posted + timedelta(minutes=rng.choice([1, 4, 25, 200])),
            )
    return articles


def chart(charts, slug):
    return next(c for c in charts if c.slug == slug)


def month():
    today = timezone.localdate()
    return today - timedelta(days=30), today


@pytest.fixture(autouse=True)
def _figures_uncached(settings):
    """These tests change rows between requests; the cache has its own tests."""
    settings.INSIGHTS_CACHE_SECONDS = 0


@pytest.fixture
def seeded():
    articles = seed_month(60)
    rollups.daily_stats_rollup(days=31)
    return articles


# --- Who may see it -------------------------------------------------------------------
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_reader_gets_403(client, reader):
    client.force_login(reader)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}comments.csv").status_code == 403


def test_moderators_and_editors_see_it(client, moderator):
    client.force_login(moderator)
    assert client.get(URL).status_code == 200
    editor = make_user("desk-editor", is_staff=True)
    editor.groups.add(ensure_groups()["Editors"])
    client.force_login(editor)
    assert client.get(URL).status_code == 200


# --- The numbers equal a recount from the rows ------------------------------------------
def test_comments_per_day_and_statuses_equal_a_recount(seeded):
    start, end = month()
    charts = insights_charts(start=start, end=end)
    days = chart(charts, "comments").labels
    for section in ("s1", "s2"):
        recount = Counter(
            timezone.localtime(at).date().isoformat()
            for at in Comment.objects.filter(article__section__slug=section).values_list(
                "created_at", flat=True
            )
        )
        assert chart(charts, "comments").series[section] == [recount[d] for d in days]
    statuses = chart(charts, "statuses").series
    assert sum(sum(v) for v in statuses.values()) == Comment.objects.count() == 60
    assert sum(statuses["Spam"]) == Comment.objects.filter(status="spam").count()


def test_comments_by_hour_equal_a_recount_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "America/Mexico_City"  # UTC-6: hours move, and some days
    seed_month(60)
    rollups.daily_stats_rollup(days=31)
    hours = chart(insights_charts(start=month()[0] - timedelta(days=1), end=month()[1]), "hours")
    rows = Comment.objects.values_list("created_at", "moderation_reasons")
    posted = Counter(timezone.localtime(at).hour for at, _ in rows)
    held = Counter(timezone.localtime(at).hour for at, reasons in rows if reasons)
    assert hours.labels == [f"{h:02d}" for h in range(24)]
    assert hours.series["posted"] == [posted[h] for h in range(24)]
    assert hours.series["held"] == [held[h] for h in range(24)]
    assert sum(hours.series["posted"]) == 60


def test_held_by_reason_and_top_articles_equal_a_recount(seeded):
    start, end = month()
    charts = insights_charts(start=start, end=end)
    # Each reason as the desk names it (the chart's labels are read by people).
    recount = Counter(
        _reason_label(r.partition(":")[0])
        for rs in Comment.objects.values_list("moderation_reasons", flat=True)
        for r in rs
    )
    reasons = chart(charts, "reasons")
    assert dict(zip(reasons.labels, reasons.series["comments"], strict=True)) == recount
    top = chart(charts, "top-articles")
    assert sorted(top.series["comments"]) == sorted(
        Counter(Comment.objects.values_list("article_id", flat=True)).values()
    )


def test_decisions_and_waits_equal_a_recount(seeded):
    start, end = month()
    charts = insights_charts(start=start, end=end)
    decisions = chart(charts, "decisions").series
    for who in ("mod1", "mod2"):
        assert sum(decisions[who]) == ModerationLog.objects.filter(actor__username=who).count()
    waits = Counter()
    for log in ModerationLog.objects.filter(actor__username="mod1").select_related("comment"):
        waits[rollups.wait_bucket((log.created_at - log.comment.created_at).total_seconds())] += 1
    per_mod = chart(charts, "wait-moderators")
    median = per_mod.series["median"][per_mod.labels.index("mod1")]
    assert median == percentile_minutes(waits, 0.5) and median in (1, 5, 30, 240)


def test_the_section_filter_keeps_one_sections_numbers(seeded):
    start, end = month()
    charts = insights_charts(start=start, end=end, section="s2")
    assert list(chart(charts, "comments").series) == ["s2"]
    total = sum(sum(v) for v in chart(charts, "statuses").series.values())
    assert total == Comment.objects.filter(article__section__slug="s2").count()


def test_today_is_counted_live(client, moderator):
    make_comment(body="Posted today.")
    client.force_login(moderator)
    today = timezone.localdate()
    charts = insights_charts(start=today, end=today)
    assert sum(sum(v) for v in chart(charts, "comments").series.values()) == 1
    assert not DailyStat.objects.exists()


def test_the_periodic_task_counts_the_last_days_again(seeded):
    DailyStat.objects.all().delete()
    assert daily_stats_rollup() > 0
    assert DailyStat.objects.filter(day=timezone.localdate() - timedelta(days=1)).count() >= 0
    assert not DailyStat.objects.filter(day__lt=timezone.localdate() - timedelta(days=7))


def test_the_roll_up_is_an_upsert(seeded):
    rows = DailyStat.objects.count()
    rollups.daily_stats_rollup(days=31)
    assert DailyStat.objects.count() == rows
    Comment.objects.all().delete()
    rollups.daily_stats_rollup(days=31)
    assert not DailyStat.objects.exclude(metric__in=["decisions", "wait"]).exists()


# --- The page ------------------------------------------------------------------------
@pytest.mark.parametrize("volume", [5, 80])
def test_the_page_costs_the_same_queries_however_many_rows(
    client, moderator, django_assert_num_queries, volume
):
    client.force_login(moderator)
    seed_month(volume)
    from ratings.models import Vote

    for n in range(volume // 2):
        comment = make_comment(body=f"Posted today {n}.")
        Vote.objects.create(article=comment.article, voter=f"v{n}", stars=1 + n % 5)
    rollups.daily_stats_rollup(days=31)
    # The user and their permissions (can_moderate); the sections for the filter; the
    # roll-ups of the range in two queries (by day, and the period-wide sums); today
    # counted live (comments by section, article, status and hour; the held ones'
    # reasons and hours; decisions; first decisions; votes;
    # subscriptions); the top articles' titles; the spam model's versions; the liked
    # and least liked articles' titles; the newsletter's issues; the site's navigation.
    with django_assert_num_queries(QUERIES):
        assert client.get(URL).status_code == 200


def test_the_page_has_a_chart_a_table_and_a_csv_link_each(client, moderator, seeded):
    client.force_login(moderator)
    text = client.get(URL).text
    for slug in ("comments", "hours", "statuses", "reasons", "wait", "decisions", "spam-model"):
        assert f'src="/insights/{slug}.svg?' in text
        assert f'href="/insights/{slug}.csv?' in text
    start, end = month()
    assert text.count("<table>") == len(insights_charts(start=start, end=end)) == 16


def test_the_csv_equals_the_charts_numbers(client, moderator, seeded):
    client.force_login(moderator)
    start, end = month()
    response = client.get(f"{URL}statuses.csv", {"start": start, "end": end})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    statuses = chart(insights_charts(start=start, end=end), "statuses")
    assert rows[0] == ["", *statuses.series]
    assert [r[0] for r in rows[1:]] == statuses.labels
    for n, name in enumerate(statuses.series, start=1):
        assert [int(r[n]) for r in rows[1:]] == statuses.series[name]


def test_the_svg_has_no_script_and_no_xml_declaration(client, moderator, seeded):
    client.force_login(moderator)
    response = client.get(f"{URL}comments.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg") and "<script" not in svg
    assert "style-src 'self' 'unsafe-inline'" in response["Content-Security-Policy"]
    page_policy = client.get(URL)["Content-Security-Policy"]
    assert "unsafe-inline" not in page_policy and "script-src 'self'" in page_policy


def test_an_unknown_chart_is_404(client, moderator):
    client.force_login(moderator)
    assert client.get(f"{URL}nothing.svg").status_code == 404


def test_a_backwards_range_is_explained(client, moderator):
    client.force_login(moderator)
    response = client.get(URL, {"start": "2026-02-01", "end": "2026-01-01"})
    assert response.status_code == 200
    assert "The first day comes after the last." in response.text


# --- Ratings and the newsletter ------------------------------------------------------------
def test_ratings_charts_equal_a_recount(client):
    from ratings.models import Vote

    articles = [make_article(section=make_section(slug=f"r{n}")) for n in range(3)]
    rng = random.Random(5)
    for n in range(30):
        Vote.objects.create(article=rng.choice(articles), voter=f"v{n}", stars=rng.randint(1, 5))
    today = timezone.localdate()
    charts = insights_charts(start=today, end=today)
    assert chart(charts, "votes").series["votes"] == [30]
    stars = chart(charts, "stars").series
    for article in articles:
        slug = article.section.slug
        recount = Counter(Vote.objects.filter(article=article).values_list("stars", flat=True))
        assert stars[slug] == [recount[s] for s in range(1, 6)]
    averages = {a.title: sum(v.stars for v in a.votes.all()) / a.votes.count() for a in articles}
    liked = chart(charts, "liked")
    assert liked.labels[0] == max(averages, key=averages.get)
    assert liked.series["average stars"][0] == round(max(averages.values()), 2)


def test_newsletter_charts_equal_a_recount(client):
    from newsletter.models import NewsletterList, Subscriber, Subscription

    news = NewsletterList.objects.create(name="Daily", slug="daily")
    now = timezone.now()
    for n in range(6):
        subscriber = Subscriber.objects.create(email=f"s{n}@example.com")
        Subscription.objects.create(
            subscriber=subscriber,
            list=news,
            status="confirmed" if n < 4 else "pending",
            confirmed_at=now if n < 4 else None,
            unsubscribed_at=now if n == 0 else None,
        )
    today = timezone.localdate()
    charts = insights_charts(start=today, end=today)
    series = chart(charts, "subscriptions").series
    assert (series["asked for"], series["confirmed"], series["unsubscribed"]) == ([6], [4], [1])
    assert chart(charts, "confirmation-rate").series["rate"] == [round(4 / 6, 3)]
