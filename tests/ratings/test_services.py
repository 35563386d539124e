import pytest
from django.core.exceptions import ValidationError

from articles.models import Article
from ratings import services
from ratings.models import Vote
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def _counters(article):
    article.refresh_from_db()
    return article.rating_count, article.rating_sum


def test_first_vote_counts():
    article = make_article()
    services.rating_set(article=article, voter="g:a", stars=4)
    assert _counters(article) == (1, 4)


def test_changing_a_vote_moves_the_sum_not_the_count():
    article = make_article()
    services.rating_set(article=article, voter="g:a", stars=4)
    services.rating_set(article=article, voter="g:a", stars=2)
    assert _counters(article) == (1, 2)
    assert Vote.objects.get().stars == 2


def test_withdrawing_a_vote_uncounts_it():
    article = make_article()
    services.rating_set(article=article, voter="g:a", stars=5)
    assert services.rating_withdraw(article=article, voter="g:a") is True
    assert _counters(article) == (0, 0)
    assert services.rating_withdraw(article=article, voter="g:a") is False


@pytest.mark.parametrize("stars", [0, 6, -1, "4", 4.0, True, None])
def test_stars_outside_one_to_five_are_refused(stars):
    with pytest.raises(ValidationError):
        services.rating_set(article=make_article(), voter="g:a", stars=stars)
    assert Vote.objects.count() == 0


def test_ratings_off_refuses_votes():
    with pytest.raises(services.RatingsDisabled):
        services.rating_set(article=make_article(ratings_enabled=False), voter="g:a", stars=3)


def test_drafts_take_no_votes():
    with pytest.raises(services.RatingsDisabled):
        services.rating_set(article=make_article(status=Article.Status.DRAFT), voter="g:a", stars=3)


def test_summary_has_average_distribution_and_mine(django_assert_num_queries):
    article = make_article()
    for voter, stars in [("g:a", 5), ("g:b", 4), ("g:c", 4)]:
        services.rating_set(article=article, voter=voter, stars=stars)
    article.refresh_from_db()
    with django_assert_num_queries(1):
        summary = services.rating_summary(article, voter="g:b")
    assert summary == {
        "average": 4.3,
        "count": 3,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1},
        "mine": 4,
    }


def test_database_refuses_a_second_vote_by_the_same_voter():
    from django.db import IntegrityError, transaction

    article = make_article()
    Vote.objects.create(article=article, voter="g:a", stars=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(article=article, voter="g:a", stars=4)


def test_moderators_may_see_votes_and_editors_the_statistics():
    from django.contrib.auth.models import Group

    moderators = Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True)
    editors = Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    assert {"view_vote", "view_articlerating"} <= set(moderators)
    assert "view_articlerating" in editors
    assert "view_vote" not in editors
