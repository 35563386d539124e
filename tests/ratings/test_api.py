import pytest
from django.core import signing

from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def url(article):
    return f"/api/v1/articles/{article.slug}/rating/"


def test_empty_rating(api_client):
    body = api_client.get(url(make_article())).json()
    assert body == {
        "average": 0,
        "count": 0,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
        "mine": None,
    }


def test_guest_votes_and_changes_by_the_voter_cookie(api_client):
    article = make_article()
    api_client.get("/")  # the first visit sets the signed voter cookie
    assert api_client.put(url(article), {"stars": 4}, format="json").json()["mine"] == 4
    body = api_client.put(url(article), {"stars": 2}, format="json").json()
    assert (body["count"], body["average"], body["mine"]) == (1, 2.0, 2)


def test_delete_withdraws_the_vote(api_client):
    article = make_article()
    api_client.get("/")
    api_client.put(url(article), {"stars": 5}, format="json")
    body = api_client.delete(url(article)).json()
    assert (body["count"], body["mine"]) == (0, None)


def test_two_guests_are_two_voters(api_client):
    from rest_framework.test import APIClient

    article = make_article()
    other = APIClient()
    for client in (api_client, other):
        client.get("/")
        client.put(url(article), {"stars": 3}, format="json")
    assert api_client.get(url(article)).json()["count"] == 2


@pytest.mark.parametrize("forge", ["raw", "wrong_key"])
def test_tampered_voter_cookie_is_a_new_voter_not_someone_else(api_client, forge):
    from rest_framework.test import APIClient

    from ratings.models import Vote

    article = make_article()
    victim = APIClient()
    victim.get("/")
    victim.put(url(article), {"stars": 5}, format="json")
    victim_id = Vote.objects.get().voter.removeprefix("g:")
    if forge == "raw":
        cookie = victim_id
    else:
        cookie = signing.TimestampSigner(key="not-the-secret", salt="voternewsite.voter").sign(
            victim_id
        )
    api_client.cookies["voter"] = cookie
    # A forged cookie is no cookie: refused, and the answer sets a real one.
    assert api_client.put(url(article), {"stars": 1}, format="json").status_code == 403
    body = api_client.put(url(article), {"stars": 1}, format="json").json()
    assert body["count"] == 2
    assert victim.get(url(article)).json()["mine"] == 5


def test_registered_user_votes_by_account(api_client):
    article = make_article()
    user = make_user()
    api_client.force_authenticate(user)
    api_client.put(url(article), {"stars": 4}, format="json")
    from ratings.models import Vote

    assert Vote.objects.get().voter == f"u:{user.pk}"


@pytest.mark.parametrize(
    "payload", [{}, {"stars": 0}, {"stars": 6}, {"stars": "x"}, {"stars": 2.5}]
)
def test_bad_stars_are_400(api_client, payload):
    response = api_client.put(url(make_article()), payload, format="json")
    assert response.status_code == 400
    assert "stars" in response.json()


def test_ratings_off_is_403_on_put(api_client):
    api_client.get("/")
    response = api_client.put(url(make_article(ratings_enabled=False)), {"stars": 3}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Ratings are switched off for this article."


def test_unknown_article_is_404(api_client):
    assert api_client.get("/api/v1/articles/nope/rating/").status_code == 404


def test_votes_are_rate_limited(api_client, settings):
    settings.VOTES_RATE_LIMIT = "2/h"
    article = make_article()
    api_client.get("/")
    for stars in (1, 2):
        api_client.put(url(article), {"stars": stars}, format="json")
    response = api_client.put(url(article), {"stars": 3}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_articles_api_shows_the_real_rating(api_client):
    article = make_article()
    api_client.get("/")
    api_client.put(url(article), {"stars": 4}, format="json")
    item = api_client.get("/api/v1/articles/").json()["results"][0]
    assert item["rating"] == {"average": 4.0, "count": 1}


def test_a_form_encoded_vote_is_415_not_a_400_that_could_never_pass(api_client):
    response = api_client.put(url(make_article()), {"stars": "4"})
    assert response.status_code == 415
