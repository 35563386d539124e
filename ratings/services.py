"""Votes: one per voter per article, changeable and withdrawable. The article's
``rating_count`` and ``rating_sum`` move with each vote in the same transaction."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q

from articles import ratelimit
from articles.models import Article
from ratings.models import Vote

STARS = range(1, 6)


class RatingsDisabled(PermissionDenied):
    """Ratings are switched off for this article (HTTP 403)."""


def _check(article: Article) -> None:
    if not article.ratings_enabled or not article.is_public:
        raise RatingsDisabled("Ratings are switched off for this article.")


def validate_stars(stars) -> int:
    if isinstance(stars, bool) or not isinstance(stars, int) or stars not in STARS:
        raise ValidationError({"stars": ["Choose from 1 to 5 stars."]})
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
    """
    _check(article)
    validate_stars(stars)
    if enforce_limits:
        ratelimit.hit("vote", settings.VOTES_RATE_LIMIT, voter, ip_address=ip_address)
    user = user if user is not None and user.is_authenticated else None
    try:
        with transaction.atomic():
            vote = Vote.objects.create(article=article, voter=voter, user=user, stars=stars)
    except IntegrityError:
        vote = Vote.objects.select_for_update().get(article=article, voter=voter)
        if vote.stars != stars:
            _move_counters(article.pk, count=0, total=stars - vote.stars)
            vote.stars = stars
            vote.save(update_fields=["stars", "updated_at"])
        return vote
    _move_counters(article.pk, count=1, total=stars)
    return vote


@transaction.atomic
def rating_withdraw(*, article: Article, voter: str) -> bool:
    """Remove the voter's vote; returns whether there was one."""
    _check(article)
    return votes_remove(votes=Vote.objects.filter(article=article, voter=voter)) > 0


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
