"""Votes: one per voter per article, changeable and withdrawable. The article's
``rating_count`` and ``rating_sum`` move with each vote in the same transaction.

A guest is only a cookie, and a cookie can be cleared: so a guest's *new* vote also
counts against its network's daily allowance on the article
(``RATINGS_GUEST_VOTES_PER_NETWORK``), kept in the database, not in a cache counter."""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles import ratelimit
from articles.cache import is_shared_copy
from articles.models import Article
from articles.versions import version_tag
from articles.voters import voter_key
from ratings import signals
from ratings.models import Vote

STARS = range(1, 6)
# How long a guest vote counts against its network's allowance on the article.
GUEST_VOTE_WINDOW = timedelta(days=1)


class RatingsDisabled(PermissionDenied):
    """Ratings are switched off for this article (HTTP 403)."""


class GuestVotesExhausted(ratelimit.RateLimited):
    """The guest's network has cast its allowance of new votes on this article in the
    last day (HTTP 429); ``retry_after`` is when the oldest of them stops counting.
    A ``RateLimited``, so every caller that answers rate limits answers this too."""

    def __str__(self):
        return str(
            _(
                "Too many guest votes on this article from your network today. "
                "Sign in to vote, or try again later."
            )
        )


def voter_network(ip_address: str | None) -> str:
    """The network a guest votes from (``articles.ratelimit.guest_network``: one home,
    office or rented block of addresses is one network). "" when the address is
    unknown (no request: imports, demo data)."""
    if not ip_address:
        return ""
    # Not an address, but still one client's bucket.
    return ratelimit.guest_network(ip_address) or ip_address[:50]


def _check(article: Article) -> None:
    if not article.ratings_enabled or not article.is_public:
        raise RatingsDisabled(_("Ratings are switched off for this article."))


def validate_stars(stars) -> int:
    if isinstance(stars, bool) or not isinstance(stars, int) or stars not in STARS:
        raise ValidationError({"stars": [_("Choose from 1 to 5 stars.")]})
    return stars


def _move_counters(article_id: int, *, count: int, total: int) -> None:
    Article.objects.filter(pk=article_id).update(
        rating_count=F("rating_count") + count, rating_sum=F("rating_sum") + total
    )


@transaction.atomic
def rating_set(
    *,
    article: Article,
    voter: str,
    stars: int,
    user=None,
    ip_address: str | None = None,
    enforce_limits: bool = True,
) -> Vote:
    """Create or change the voter's one vote.

    The unique constraint on (article, voter) settles races: the loser of two
    simultaneous first votes falls through to changing the winner's row, which it locks.
    Changing a vote is never a new vote. A guest's new vote (``user`` None, with
    ``enforce_limits``) also spends one of its network's votes on the article for a
    day: over the allowance it is rolled back and ``GuestVotesExhausted`` raised.
    """
    _check(article)
    validate_stars(stars)
    if enforce_limits:
        ratelimit.hit("vote", settings.VOTES_RATE_LIMIT, voter, ip_address=ip_address)
    user = user if user is not None and user.is_authenticated else None
    network = voter_network(ip_address) if user is None else ""
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                article=article, voter=voter, user=user, stars=stars, network=network
            )
    except IntegrityError:
        return _change(article=article, voter=voter, stars=stars)
    if enforce_limits and network:
        _check_network_allowance(vote)
    _move_counters(article.pk, count=1, total=stars)
    signals.rating_changed.send(sender=Vote, article=article, stars=stars)
    return vote


def _change(*, article: Article, voter: str, stars: int) -> Vote:
    """Change the voter's existing vote, holding its row lock to the end."""
    vote = Vote.objects.select_for_update().get(article=article, voter=voter)
    if vote.stars != stars:
        _move_counters(article.pk, count=0, total=stars - vote.stars)
        vote.stars = stars
        vote.save(update_fields=["stars", "updated_at"])
        signals.rating_changed.send(sender=Vote, article=article, stars=stars)
    return vote


def _check_network_allowance(vote: Vote) -> None:
    """Refuse ``vote`` (just inserted, uncommitted) when its network already has the
    allowance of guest votes on the article in the last day.

    Counted after locking the article row (PostgreSQL; SQLite's BEGIN IMMEDIATE has
    serialised writers already): two votes from one network racing for the last place
    take the lock in turn, and the second counts the first, committed by then. The
    vote is inserted before the lock, so the locks come in the order every vote change
    already takes them (vote row, then article row): no new way to deadlock."""
    list(Article.objects.select_for_update().filter(pk=vote.article_id).values_list("pk"))
    now = timezone.now()
    earlier = list(
        Vote.objects.filter(
            article_id=vote.article_id,
            network=vote.network,
            created_at__gt=now - GUEST_VOTE_WINDOW,
        )
        .exclude(pk=vote.pk)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    allowance = settings.RATINGS_GUEST_VOTES_PER_NETWORK
    if len(earlier) >= allowance:
        raise GuestVotesExhausted(_seconds_until(earlier[len(earlier) - allowance], now))


def _seconds_until(counted_at: datetime, now: datetime) -> int:
    """Seconds until a vote cast at ``counted_at`` stops counting (rounded up)."""
    return math.ceil((counted_at + GUEST_VOTE_WINDOW - now).total_seconds())


@transaction.atomic
def rating_withdraw(*, article: Article, voter: str) -> bool:
    """Remove the voter's vote; returns whether there was one."""
    _check(article)
    removed = votes_remove(votes=Vote.objects.filter(article=article, voter=voter)) > 0
    if removed:
        signals.rating_changed.send(sender=Vote, article=article, stars=None)
    return removed


@transaction.atomic
def votes_remove(*, votes) -> int:
    """Delete these votes and take them off their articles' counters, whether or not
    ratings are still on (a reader deleting their account takes every vote along).
    Returns how many went."""
    removed = 0
    for vote in votes.select_for_update().order_by("pk"):
        vote.delete()
        _move_counters(vote.article_id, count=-1, total=-vote.stars)
        removed += 1
    return removed


_MINE = "_ratings_mine"


def readers_stars(request, article: Article) -> int | None:
    """The stars of this reader's own vote on the article (None in a copy of the page
    shared by every reader). Asked once per request: the rating widget remembers what
    its summary found, so the comment form's stars cost no second query."""
    remembered = getattr(request, _MINE, {})
    # Kept apart for a shared copy: a render that turns out not shareable is drawn anew.
    slot = (article.pk, is_shared_copy(request))
    if slot in remembered:
        return remembered[slot]
    if is_shared_copy(request):
        return None
    stars = (
        Vote.objects.filter(article=article, voter=voter_key(request))
        .values_list("stars", flat=True)
        .first()
    )
    remember_readers_stars(request, article, stars)
    return stars


def remember_readers_stars(request, article: Article, stars: int | None) -> None:
    slot = (article.pk, is_shared_copy(request))
    setattr(request, _MINE, {**getattr(request, _MINE, {}), slot: stars})


# A signed-in reader's vote as the page they share shows it, kept per reader and
# article for the article's version it was read at (every vote moves the version).
READERS_STARS_TIMEOUT = 60


def _kept_stars(request, article: Article) -> int | None:
    key = f"ratings:mine:{voter_key(request)}:{article.pk}"
    tag = version_tag(article)
    try:
        kept = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not take pages down
        kept = None
    if kept is not None and kept[0] == tag:
        return kept[1]
    stars = readers_stars(request, article)
    try:
        cache.set(key, (tag, stars), READERS_STARS_TIMEOUT)
    except Exception:  # noqa: BLE001, S110 - the page is served either way
        pass
    return stars


def your_rating(stars: int | None) -> str:
    """ "Your rating: 4 of 5." under the stars ("" without a vote)."""
    return gettext("Your rating: %(stars)s of 5.") % {"stars": stars} if stars else ""


def readers_star_holes(request, article: Article, names: set[str]) -> dict[str, str]:
    """The reader's vote in the holes of the page signed-in readers share
    (``articles.cache.register_reader_values``): which star is checked ("none" when
    they have not voted), "Your rating: …" and whether "Remove my rating" is hidden."""
    if not article.ratings_enabled or "rating-mine" not in names:
        return {}
    stars = _kept_stars(request, article)
    values = {f"rating-checked-{n}": " checked" if stars == n else "" for n in STARS}
    values["rating-checked-none"] = "" if stars else " checked"
    values["rating-mine"] = your_rating(stars)
    values["rating-withdraw-hidden"] = "" if stars else " hidden"
    return values


def rating_summary(article: Article, *, voter: str | None = None) -> dict:
    """``{average, count, distribution {"1".."5"}, mine}`` in one query.

    Count and average come from the article's counters; the distribution and the
    voter's own stars are one conditional aggregate over the article's votes.
    """
    aggregates = {f"s{s}": Count("id", filter=Q(stars=s)) for s in STARS}
    aggregates["mine"] = Max("stars", filter=Q(voter=voter or ""))
    row = Vote.objects.filter(article=article).aggregate(**aggregates)
    return {
        "average": article.rating_average,
        "count": article.rating_count,
        "distribution": {str(s): row[f"s{s}"] for s in STARS},
        "mine": row["mine"],
    }
