"""The stars on a comment are its author's vote on the article as it is now: changing or
withdrawing the vote with the article's rating widget changes what the comment shows."""

import pytest
from rest_framework.test import APIClient

from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


def post_rated(client, article, stars):
    response = client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"body": "Rated it.", "name": "Ana", "email": "ana@example.com", "rating": stars},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def shown(client, article, comment_id):
    items = client.get(f"/api/v1/articles/{article.slug}/comments/").json()["results"]
    return next(item["rating"] for item in items if item["id"] == comment_id)


@pytest.fixture
def article(settings):
    settings.COMMENTS_MODERATION = "none"
    return make_article()


def test_changing_the_vote_changes_the_comments_stars(api_client, article):
    comment_id = post_rated(api_client, article, 4)
    api_client.put(f"/api/v1/articles/{article.slug}/rating/", {"stars": 2}, format="json")
    assert shown(api_client, article, comment_id) == 2
    page = api_client.get(article.get_absolute_url()).content.decode()
    assert "Rated 2 out of 5" in page and "Rated 4 out of 5" not in page


def test_withdrawing_the_vote_takes_the_stars_off(api_client, article):
    comment_id = post_rated(api_client, article, 4)
    api_client.delete(f"/api/v1/articles/{article.slug}/rating/")
    assert shown(api_client, article, comment_id) is None


def test_another_readers_vote_changes_nothing(api_client, article):
    comment_id = post_rated(api_client, article, 4)
    other = APIClient()
    other.put(f"/api/v1/articles/{article.slug}/rating/", {"stars": 1}, format="json")
    assert shown(other, article, comment_id) == 4


def test_a_registered_readers_comment_follows_their_account_vote(api_client, article):
    reader = make_user()
    api_client.force_authenticate(reader)
    comment_id = post_rated(api_client, article, 5)
    api_client.put(f"/api/v1/articles/{article.slug}/rating/", {"stars": 3}, format="json")
    assert shown(APIClient(), article, comment_id) == 3


def test_a_comment_of_unknown_voter_keeps_the_stars_it_was_sent_with(api_client, article):
    comment = make_comment(article, rating=4)
    type(comment).objects.filter(pk=comment.pk).update(rating_voter="")
    assert shown(api_client, article, comment.pk) == 4
