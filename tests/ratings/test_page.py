import pytest

from ratings import services
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


def _vote(article, *stars):
    for n, s in enumerate(stars):
        services.rating_set(article=article, voter=f"g:{n}", stars=s, enforce_limits=False)


def test_no_votes_reads_rated_zero(client):
    html = client.get(make_article().get_absolute_url()).content.decode()
    assert "Rated <strong data-rating-average>0</strong> out of 5 based on" in html
    assert "<strong data-rating-count>0</strong> <span data-rating-voters>voters</span>" in html


def test_one_voter_is_singular(client):
    article = make_article()
    _vote(article, 4)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<strong data-rating-count>1</strong> <span data-rating-voters>voter</span>" in html


def test_average_has_one_decimal(client):
    article = make_article()
    _vote(article, 5, 4, 4)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Rated <strong data-rating-average>4.3</strong> out of 5" in html
    assert '<span data-rating-n="4">2</span>' in html


def test_star_form_works_without_javascript(client):
    article = make_article()
    client.get("/")
    response = client.post(f"/articles/{article.slug}/rating/", {"stars": "4"})
    assert response.status_code == 302
    assert response["Location"].endswith("#rating")
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'id="comment-rating-4" name="rating" value="4" data-rating-star checked' in html
    assert "Your rating: 4 of 5." in html


def test_the_page_offers_one_star_control_in_the_comment_form(client):
    html = client.get(make_article().get_absolute_url()).content.decode()
    assert html.count("Rate this post") == 2  # the legend, and the summary's link to it
    assert 'name="stars"' not in html
    assert html.count("data-rating-star") == 5
    assert 'href="#comment-rating-1"' in html


def test_closed_comments_leave_the_star_control_with_the_summary(client):
    html = client.get(make_article(comments_open=False).get_absolute_url()).content.decode()
    assert 'id="rate-4" name="stars" value="4"' in html
    assert 'name="rating"' not in html
    assert html.count("data-rating-star") == 5


def test_rate_without_commenting_posts_the_comment_forms_stars_as_a_vote(client):
    article = make_article()
    client.get("/")
    fields = {"rating": "3", "body": "", "name": "", "email": "", "rate_only": "1"}
    response = client.post(f"/articles/{article.slug}/rating/", fields)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.rating_count, article.comment_count) == (1, 0)


def test_the_comment_forms_no_rating_is_not_a_vote(client):
    article = make_article()
    client.get("/")
    client.post(f"/articles/{article.slug}/rating/", {"rating": "", "rate_only": "1"})
    article.refresh_from_db()
    assert article.rating_count == 0


def test_withdraw_through_the_form(client):
    article = make_article()
    client.get("/")
    client.post(f"/articles/{article.slug}/rating/", {"stars": "2"})
    client.post(f"/articles/{article.slug}/rating/", {"withdraw": "1"})
    article.refresh_from_db()
    assert article.rating_count == 0


def test_bad_stars_through_the_form_change_nothing(client):
    article = make_article()
    client.post(f"/articles/{article.slug}/rating/", {"stars": "9"})
    article.refresh_from_db()
    assert article.rating_count == 0


def test_ratings_off_hides_the_rating(client):
    html = client.get(make_article(ratings_enabled=False).get_absolute_url()).content.decode()
    assert "Rated" not in html
    assert "Rate this post" not in html
    assert "ratings.js" not in html


def test_article_page_query_count_is_fixed_with_many_votes_and_comments(
    client, django_assert_num_queries, settings
):
    # The rendered page: with the page cache on, the warm-up view would make the small
    # article's second view a one-query cache hit, and its threads would come from their cache
    # (tests/articles/test_page_cache.py).
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 0
    settings.COMMENTS_THREADS_CACHE_TIMEOUT = 0
    small, big = make_article(), make_article()
    _vote(small, 3)
    make_comment(small)
    _vote(big, *([5, 4, 3, 2, 1] * 40))
    for _ in range(30):
        make_comment(big)
    client.get(small.get_absolute_url())  # warm the sidebar boxes' cache
    counts = []
    for article in (small, big):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            client.get(article.get_absolute_url())
        counts.append(len(queries))
    assert counts[0] == counts[1]
