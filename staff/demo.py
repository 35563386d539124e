"""The demo's moderation history (``load_demo_staff``): a month of guest comments held
by the rules and decided at the desk, a few still waiting and two flagged, so that a
newcomer's desk has work on it and the insights page has a month to chart.

Everything goes through the real services (``comment_create`` with the rules on,
``comment_decide``, ``comment_flag``); only the times are moved back afterwards, since
the services stamp "now". Seeded, so every run of a fresh demo tells the same story.
"""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from comments.decisions import comment_decide
from comments.models import BlockedWord, Comment, CommentFlag, ModerationLog, OutboxMessage
from comments.posting import comment_create
from comments.services import comment_flag
from staff.rollups import daily_stats_backfill

# Guest addresses of the demo's history: how a re-run knows it has been loaded.
DOMAIN = "desk-demo.example"
DAYS = 30
# A second moderator, so the insights page compares two people's work. No password:
# only the printed demo moderator signs in.
NIGHT_DESK = ("night-desk", "night-desk@example.com")
BLOCKED = ("idiots", "Demo: insults hold a comment for review")

OPENINGS = [
    "I live two streets from there and",
    "Reading this from Valparaíso:",
    "As a nurse on the night shift,",
    "My grandmother always said that",
    "Good reporting, but",
    "Nobody in the council wants to admit that",
    "Interesting piece.",
    "Having covered local politics for years,",
]
CLAIMS = [
    "the flood defences were promised in 2019 and never built.",
    "the bus lanes have made my commute twenty minutes shorter.",
    "the fishermen deserve a say before the quota changes.",
    "the school budget is the real story here.",
    "the figures for the harbour project do not add up.",
    "the new library opening hours suit nobody who works.",
    "we need more reporting like this on the water supply.",
    "the mayor's answer on rents was evasive at best.",
]
SPAM = [
    "Cheap watches and handbags, best prices online: http://deals.example http://bags.example http://more.example",
    "Earn $500 a day from home, click http://money.example http://rich.example http://fast.example",
    "Buy followers and likes now!!! http://likes.example http://fans.example http://boost.example",
    "Best casino bonus of the year, free spins http://spins.example http://bet.example http://win.example",
]
RUDE = [
    "Only idiots believe anything this paper prints.",
    "The people quoted here are idiots and so is the reporter.",
    "idiots, all of you, every single one.",
]
# Minutes a held comment waits for its first decision: mostly soon, sometimes overnight.
WAITS = [2, 3, 4, 6, 8, 12, 15, 25, 40, 55, 90, 180, 420, 720]
# How long ago each comment still waiting on the desk was posted.
WAITING = [7, 19, 42, 65, 130, 240]


def _moderators():
    User = get_user_model()
    main = User.objects.get(username="moderator")
    night = User.objects.filter(username=NIGHT_DESK[0]).first()
    if night is None:
        night = User.objects.create_user(*NIGHT_DESK, password=None, is_staff=True)
        night.groups.set(main.groups.all())
    return main, night


def _post(article, body, n, *, at):
    created = comment_create(
        article=article,
        body=body,
        guest_name=f"Reader {n}",
        guest_email=f"reader{n}@{DOMAIN}",
        notify=False,
        enforce_limits=False,
        ip_address=f"192.0.2.{n % 250 + 1}",
    ).comment
    Comment.objects.filter(pk=created.pk).update(created_at=at)
    ModerationLog.objects.filter(comment=created).update(created_at=at)
    created.created_at = at
    return created


def _decide(comment, action, by, *, at):
    comment = comment_decide(comment=comment, action=action, by=by, screen="desk")
    # The log is append-only for the application; the demo moves its own rows' time.
    ModerationLog.objects.filter(comment=comment, action=action).update(created_at=at)


def _text(rng) -> tuple[str, str]:
    """A comment's text and what the moderators will do with it."""
    roll = rng.random()
    if roll < 0.25:
        return rng.choice(SPAM), "spam"
    if roll < 0.35:
        return rng.choice(RUDE), "reject"
    opening, claim = rng.choice(OPENINGS), rng.choice(CLAIMS)
    if opening.endswith("."):
        claim = claim[0].upper() + claim[1:]
    return f"{opening} {claim}", "approve"


@transaction.atomic
def history_load(*, now=None, days: int | None = None) -> int:
    """Load the demo's moderation history (``days``, default ``DAYS``) unless it is
    there; returns the number of comments made now (0 on a re-run). Roll-ups are
    counted afterwards (``demo_rollups``)."""
    now = now or timezone.now()
    days = DAYS if days is None else days
    if Comment.objects.filter(guest_email__endswith=f"@{DOMAIN}").exists():
        return 0
    articles = list(Article.objects.own().published().filter(comments_open=True)[:8])
    articles = [article for article in articles if article.accepting_comments]
    if not articles:
        return 0
    BlockedWord.objects.get_or_create(phrase=BLOCKED[0], defaults={"note": BLOCKED[1]})
    rng = random.Random(2026)  # noqa: S311 -- demo data, not a secret: seeded to repeat
    moderators = _moderators()
    made = 0
    today = timezone.localdate(now)
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        for _ in range(rng.randint(5, 11)):
            at = timezone.make_aware(datetime.combine(day, time(rng.randint(6, 22))))
            at += timedelta(minutes=rng.randint(0, 59))
            text, action = _text(rng)
            made += 1
            comment = _post(rng.choice(articles), text, made, at=at)
            if comment.status == Comment.Status.PENDING:
                by = moderators[0] if at.hour < 18 else moderators[1]
                _decide(comment, action, by, at=at + timedelta(minutes=rng.choice(WAITS)))
    # The last hours' comments still wait on the desk.
    for minutes in WAITING:
        made += 1
        _post(rng.choice(articles), _text(rng)[0], made, at=now - timedelta(minutes=minutes))
    _flag_two(articles)
    # Nobody follows these threads: their "published" announcements have no one to
    # tell, so they are done now rather than each tried by a task after the commit.
    OutboxMessage.objects.filter(comment__guest_email__endswith=f"@{DOMAIN}").update(sent_at=now)
    return made


def _flag_two(articles) -> None:
    """Two published readers' comments flagged by readers: the desk's "Flagged" tab."""
    published = Comment.objects.filter(article__in=articles, status=Comment.Status.APPROVED)
    for n, comment in enumerate(published.order_by("-pk")[:2]):
        flag, _ = comment_flag(comment=comment, voter=f"demo-flagger-{n}", reason="off_topic")
        # Counted as told, so no digest email is printed into the demo's console.
        CommentFlag.objects.filter(pk=flag.pk).update(notified_at=timezone.now())


def demo_rollups(*, now=None) -> int:
    """Count the demo's days into insights' roll-ups (the hourly task keeps them)."""
    today = timezone.localdate(now or timezone.now())
    return daily_stats_backfill(since=today - timedelta(days=DAYS + 30), today=today)
