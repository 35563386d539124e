"""An article's version (what its cached copies are keyed on) moves once per transaction
that changes what it shows: in the UPDATE of a counter the transaction runs anyway when
there is one (``article_moved``), else after the commit (``article_changed``)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.versions import article_changed, engagement_changed
from comments import posting, services
from tests.factories import make_article

# Real commits: the on-commit callbacks run as in production.
pytestmark = pytest.mark.django_db(transaction=True)


class Boom(Exception):
    pass


@pytest.fixture
def article():
    return make_article()


def version(article) -> int:
    return Article.objects.values_list("engagement_version", flat=True).get(pk=article.pk)


def article_updates(captured) -> int:
    return sum(q["sql"].startswith('UPDATE "articles_article"') for q in captured)


def test_a_published_comment_moves_count_and_version_in_one_update(article, settings):
    settings.COMMENTS_MODERATION = "none"
    before = version(article)
    told = []

    def receiver(article_id, **kwargs):
        told.append(article_id)

    engagement_changed.connect(receiver)
    try:
        with CaptureQueriesContext(connection) as captured:
            posting.comment_create(
                article=article, body="Hi.", guest_name="Al", guest_email="al@example.com"
            )
    finally:
        engagement_changed.disconnect(receiver)
    assert article_updates(captured) == 1
    assert version(article) == before + 1
    assert told == [article.pk]


def test_a_move_rolled_back_with_its_savepoint_leaves_the_earlier_change_to_move_it(article):
    before = version(article)
    with transaction.atomic():
        article_changed(article.pk)
        with pytest.raises(Boom), transaction.atomic():
            services.bump_comment_count(article.pk, 1)
            raise Boom
    article.refresh_from_db()
    assert (version(article), article.comment_count) == (before + 1, 0)


def test_a_change_after_a_move_in_the_same_transaction_costs_no_second_update(article):
    before = version(article)
    with CaptureQueriesContext(connection) as captured:
        with transaction.atomic():
            services.bump_comment_count(article.pk, 1)
            article_changed(article.pk)
            services.bump_comment_count(article.pk, 1)
    assert article_updates(captured) == 2  # the two counts; no bump after the commit
    assert version(article) == before + 2
