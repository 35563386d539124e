"""A year of conversation for insights' ``make bench`` row (issue 23: the page costs a
fixed number of queries over a year with 1,000,000 comments): comments spread evenly
over the year up to now across four sections, a fifth of them held by the rules and
decided by two moderators, then counted into the roll-ups as the hourly task would.

Written by the database itself (``INSERT … SELECT`` over a number series, copying one
template comment per kind), so a million rows load in seconds, not the minutes a
million model instances would take. Only rows the insights read are made: no likes,
attachments or votes. The statements are built from integers and column names of our
own (``# noqa: S608``); the one string from outside a model, the moderators' names,
is a parameter.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.models import Article, Section
from comments.models import Comment, ModerationLog
from staff.rollups import daily_stats_backfill

SECTIONS = ("insights-a", "insights-b", "insights-c", "insights-d")
ARTICLES_PER_SECTION = 5
MODERATORS = ("bench-insights-mod-1", "bench-insights-mod-2")
CHUNK = 100_000


@dataclass(frozen=True)
class Kind:
    """One template comment: ``share`` of every 100 rows, whether a moderator decided
    it (``version`` 1 marks them for the log's ``INSERT … SELECT``)."""

    status: str
    reasons: list
    share: int
    decided: bool


KINDS = (
    Kind("approved", [], 80, False),
    Kind("approved", ["first_time_guest"], 12, True),
    Kind("rejected", ["too_many_links"], 4, True),
    Kind("spam", ["blocked_word:casino"], 4, True),
)


def _articles() -> list[Article]:
    articles = []
    for position, slug in enumerate(SECTIONS, start=900):
        section, _ = Section.objects.get_or_create(
            slug=slug, defaults={"name": f"Insights {slug[-1].upper()}", "position": position}
        )
        for n in range(ARTICLES_PER_SECTION):
            article, _ = Article.objects.get_or_create(
                slug=f"bench-{slug}-{n}",
                defaults={
                    "section": section,
                    "title": f"Insights bench article {slug[-1].upper()}{n}",
                    "body": "A data set for `make bench`; not news.",
                    "status": Article.Status.PUBLISHED,
                    "published_at": timezone.now() - timedelta(days=400),
                },
            )
            articles.append(article)
    return articles


def _moderators() -> list:
    User = get_user_model()
    group = Group.objects.get(name="Moderators")
    users = []
    for name in MODERATORS:
        user, created = User.objects.get_or_create(
            username=name, defaults={"email": f"{name}@example.com", "is_staff": True}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(group)
        users.append(user)
    return users


def _templates(article) -> dict[int, int]:
    """One template comment per kind; ``{percentile: template id}`` for every 0..99."""
    by_percentile = {}
    percentile = 0
    for kind in KINDS:
        template = Comment.objects.create(
            article=article,
            path="t",
            guest_name="Bench reader",
            guest_email="bench-reader@example.com",
            body="A comment of the insights bench.",
            body_html="<p>A comment of the insights bench.</p>",
            status=kind.status,
            moderation_reasons=kind.reasons,
            version=1 if kind.decided else 0,
            ip_address="192.0.2.1",
        )
        for _ in range(kind.share):
            by_percentile[percentile] = template.pk
            percentile += 1
    return by_percentile


def _series(count: int, offset: int) -> str:
    if connection.vendor == "postgresql":
        return f"generate_series({offset}, {offset + count - 1}) AS s(i)"
    return (
        f"(WITH RECURSIVE n(i) AS (SELECT {offset} UNION ALL SELECT i + 1 FROM n "  # noqa: S608
        f"WHERE i < {offset + count - 1}) SELECT i FROM n) AS s"
    )


def _plus_seconds(base: str, seconds: str) -> str:
    """SQL for a timestamp ``seconds`` (an SQL expression) after ``base`` (one)."""
    if connection.vendor == "postgresql":
        return f"({base} + ({seconds}) * interval '1 second')"
    # Django keeps SQLite datetimes as UTC text with microseconds (%f gives three
    # decimals). Literal percent signs are doubled: the statements take parameters.
    return f"strftime('%%Y-%%m-%%d %%H:%%M:%%f000', {base}, '+' || ({seconds}) || ' seconds')"


def _insert_comments(*, count, offset, total, articles, templates, start, span) -> None:
    columns = [
        f.column
        for f in Comment._meta.concrete_fields
        if f.column not in ("id", "article_id", "created_at")
    ]
    pick_article = " ".join(f"WHEN {n} THEN {a.pk}" for n, a in enumerate(articles))
    pick_template = " ".join(f"WHEN {p} THEN {pk}" for p, pk in templates.items())
    created = _plus_seconds("%s", f"s.i * {span.total_seconds() / total:.6f}")
    sql = (
        f"INSERT INTO comments_comment (article_id, created_at, {', '.join(columns)}) "  # noqa: S608
        f"SELECT CASE s.i %% {len(articles)} {pick_article} END, {created}, "
        f"{', '.join(f't.{c}' for c in columns)} "
        f"FROM {_series(count, offset)} JOIN comments_comment t "
        f"ON t.id = CASE (s.i * 7) %% 100 {pick_template} END"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(start)])


# A decision is taken 0–239 minutes after the comment was posted.
DECIDED_WITHIN = timedelta(minutes=240)


def _insert_decisions(*, articles, moderators, templates) -> None:
    """One decision per decided comment, by either moderator, within ``DECIDED_WITHIN``
    of its posting."""
    ids = ", ".join(str(a.pk) for a in articles)
    first, second = moderators
    decided_at = _plus_seconds("c.created_at", "(c.id %% 240) * 60")
    sql = (
        "INSERT INTO comments_moderationlog (created_at, actor_id, actor_name, screen, "  # noqa: S608
        "action, comment_id, from_status, to_status, reason) "
        f"SELECT {decided_at}, "
        f"CASE c.id %% 2 WHEN 0 THEN {first.pk} ELSE {second.pk} END, "
        "CASE c.id %% 2 WHEN 0 THEN %s ELSE %s END, 'desk', "
        "CASE c.status WHEN 'approved' THEN 'approve' WHEN 'rejected' THEN 'reject' "
        "ELSE 'spam' END, c.id, 'pending', c.status, '' "
        f"FROM comments_comment c WHERE c.article_id IN ({ids}) AND c.version = 1 "
        f"AND c.id NOT IN ({', '.join(str(pk) for pk in set(templates.values()))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [first.username, second.username])


def _clear(articles) -> None:
    """An earlier, smaller year: its rows go by plain deletes (nothing else refers to
    them; the ORM's cascade would load a million rows first)."""
    ids = ", ".join(str(a.pk) for a in articles)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM comments_moderationlog WHERE comment_id IN "  # noqa: S608
            f"(SELECT id FROM comments_comment WHERE article_id IN ({ids}))"
        )
        cursor.execute(f"DELETE FROM comments_comment WHERE article_id IN ({ids})")  # noqa: S608


def year_load(*, comments: int, days: int = 365, now=None, progress=print) -> dict:
    """Load ``comments`` over the ``days`` before ``now`` unless they are there, then
    count the roll-ups; returns what was done, with timings in seconds."""
    now = now or timezone.now()
    articles = _articles()
    present = Comment.objects.filter(article__in=articles).count()
    done = {"comments": present, "loaded": False}
    if present >= comments:
        began = time.monotonic()
        done["rollup_rows"] = daily_stats_backfill(
            since=timezone.localdate(now) - timedelta(days=7)
        )
        done["rollup_seconds"] = time.monotonic() - began
        return done
    began = time.monotonic()
    with transaction.atomic():
        _clear(articles)
        templates = _templates(articles[0])
        # The last comments are posted early enough for their decisions to be past too.
        start, span = now - timedelta(days=days), timedelta(days=days) - DECIDED_WITHIN
        for offset in range(0, comments, CHUNK):
            count = min(CHUNK, comments - offset)
            _insert_comments(
                count=count, offset=offset, total=comments, articles=articles,
                templates=templates, start=start, span=span,
            )  # fmt: skip
            progress(f"insights bench: {offset + count:,} of {comments:,} comments")
        _insert_decisions(articles=articles, moderators=_moderators(), templates=templates)
        Comment.objects.filter(pk__in=set(templates.values())).delete()
        approved = Comment.objects.filter(article=OuterRef("pk"), status="approved")
        counts = approved.order_by().values("article").annotate(n=Count("pk")).values("n")
        Article.objects.filter(pk__in=[a.pk for a in articles]).update(
            comment_count=Coalesce(Subquery(counts), 0)
        )
    done.update(comments=comments, loaded=True, load_seconds=time.monotonic() - began)
    began = time.monotonic()
    done["rollup_rows"] = daily_stats_backfill(
        since=timezone.localdate(now) - timedelta(days=days), today=timezone.localdate(now)
    )
    done["rollup_seconds"] = time.monotonic() - began
    done["decisions"] = ModerationLog.objects.filter(comment__article__in=articles).count()
    return done
