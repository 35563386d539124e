"""One vote per voter under real concurrent transactions (PostgreSQL)."""

from articles.models import Article
from ratings import services
from ratings.models import Vote
from tests.concurrency import needs_postgresql, race
from tests.factories import make_article

pytestmark = needs_postgresql


def _vote(article_id, voter, stars):
    article = Article.objects.get(pk=article_id)
    services.rating_set(article=article, voter=voter, stars=stars, enforce_limits=False)


def test_twenty_racing_votes_by_one_voter_are_one_vote():
    article = make_article()
    race(20, lambda i: _vote(article.pk, "g:same", 1 + i % 5))
    article.refresh_from_db()
    vote = Vote.objects.get(article=article)
    assert article.rating_count == 1
    assert article.rating_sum == vote.stars


def test_twenty_racing_voters_are_counted_exactly():
    article = make_article()
    race(20, lambda i: _vote(article.pk, f"g:{i}", 1 + i % 5))
    article.refresh_from_db()
    assert article.rating_count == 20
    assert article.rating_sum == sum(1 + i % 5 for i in range(20))
