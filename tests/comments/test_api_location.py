"""Location and rating sent with a comment through the API."""

import json

import pytest

from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

GUEST = {"name": "Ana", "email": "ana@example.com", "body": "Seen from here."}


@pytest.fixture
def article(settings):
    settings.COMMENTS_MODERATION = "none"
    return make_article()


def post(client, article, **extra):
    return client.post(
        f"/api/v1/articles/{article.slug}/comments/", {**GUEST, **extra}, format="json"
    )


def test_coordinates_are_coarsened_and_named_offline(api_client, article):
    body = post(api_client, article, location={"latitude": 48.856613, "longitude": 2.352222})
    location = body.json()["location"]
    assert location["name"] == "Paris, France"
    assert (location["latitude"], location["longitude"]) == (48.86, 2.35)
    assert location["map_url"].startswith("https://www.openstreetmap.org/?mlat=48.86&mlon=2.35")


def test_precise_coordinates_are_kept_when_asked(api_client, article):
    point = {"latitude": 48.856613, "longitude": 2.352222, "precise": True}
    location = post(api_client, article, location=point).json()["location"]
    assert (location["latitude"], location["longitude"]) == (48.856613, 2.352222)


def test_precise_coordinates_never_leak_unless_chosen(api_client, article, client):
    post(api_client, article, location={"latitude": 48.856613, "longitude": 2.352222})
    listing = api_client.get(f"/api/v1/articles/{article.slug}/comments/").content.decode()
    page = client.get(article.get_absolute_url()).content.decode()
    feed = client.get(f"/articles/{article.slug}/comments/feed/").content.decode()
    for text in (listing, page, feed):
        assert "48.8566" not in text
        assert "2.3522" not in text


def test_a_typed_place_name_alone_is_kept(api_client, article):
    location = post(api_client, article, location={"name": "  Old   Town "}).json()["location"]
    assert location == {
        "name": "Old Town",
        "latitude": None,
        "longitude": None,
        "map_url": "https://www.openstreetmap.org/search?query=Old%20Town",
    }


def test_location_as_a_json_string_in_multipart(api_client, article):
    response = api_client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {**GUEST, "location": json.dumps({"name": "Harbour"})},
        format="multipart",
    )
    assert response.json()["location"]["name"] == "Harbour"


@pytest.mark.parametrize(
    "location",
    [
        {"latitude": 91, "longitude": 0},
        {"latitude": 0, "longitude": -181},
        {"latitude": 10},
        {"longitude": 10},
        {"latitude": "north", "longitude": 1},
        {"name": "x" * 121},
        {"name": 5},
        # PostgreSQL cannot store NUL: this was a 500 there (found by fuzzing).
        {"name": "Zurich\x00"},
        {"name": "Bell\x07"},
        "not an object",
        [1, 2],
    ],
)
def test_bad_locations_are_400_and_nothing_is_saved(api_client, article, location):
    response = post(api_client, article, location=location)
    assert response.status_code == 400
    assert list(response.json()) == ["location"]
    assert Comment.objects.count() == 0


def test_rating_with_the_comment_is_the_posters_vote(api_client, article):
    api_client.get("/")
    assert post(api_client, article, rating=4).json()["rating"] == 4
    summary = api_client.get(f"/api/v1/articles/{article.slug}/rating/").json()
    assert (summary["count"], summary["mine"]) == (1, 4)


def test_rating_on_an_article_without_ratings_is_400(api_client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article(ratings_enabled=False)
    response = post(api_client, article, rating=3)
    assert response.status_code == 400
    assert "rating" in response.json()
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("rating", [0, 6, "x", 2.5])
def test_bad_rating_is_400(api_client, article, rating):
    response = post(api_client, article, rating=rating)
    assert response.status_code == 400
    assert "rating" in response.json()
    assert Comment.objects.count() == 0


def test_author_changes_and_removes_the_location(api_client, article):
    created = post(api_client, article, location={"name": "Quay"}).json()
    url = f"/api/v1/comments/{created['id']}/"
    headers = {"HTTP_X_COMMENT_TOKEN": created["edit_token"]}
    changed = api_client.patch(url, {"location": {"name": "Pier"}}, format="json", **headers)
    assert changed.json()["location"]["name"] == "Pier"
    assert changed.json()["edited_at"] is not None
    removed = api_client.patch(url, {"location": None}, format="json", **headers)
    assert removed.json()["location"] is None
    assert Comment.objects.get().location_name == ""


def test_patch_without_location_keeps_it(api_client, article):
    created = post(api_client, article, location={"name": "Quay"}).json()
    api_client.patch(
        f"/api/v1/comments/{created['id']}/",
        {"body": "Edited."},
        format="json",
        HTTP_X_COMMENT_TOKEN=created["edit_token"],
    )
    assert Comment.objects.get().location_name == "Quay"


def test_deleted_placeholder_hides_location_and_rating(api_client, article):
    from comments.services import comment_delete

    parent = make_comment(article, location={"name": "Somewhere"}, rating=5)
    make_comment(article, parent=parent)
    comment_delete(comment=parent)
    item = api_client.get(f"/api/v1/articles/{article.slug}/comments/").json()["results"][0]
    assert (item["location"], item["rating"]) == (None, None)


def test_reverse_geocode_endpoint_names_a_place(api_client):
    response = api_client.get("/api/v1/geocode/reverse/?latitude=-1.2864&longitude=36.8172")
    assert response.json()["name"] == "Nairobi, Kenya"


def test_reverse_geocode_at_sea_is_404(api_client):
    response = api_client.get("/api/v1/geocode/reverse/?latitude=0&longitude=-30")
    assert response.status_code == 404


def test_reverse_geocode_bad_input_is_400(api_client):
    response = api_client.get("/api/v1/geocode/reverse/?latitude=100&longitude=x")
    assert set(response.json()) == {"latitude", "longitude"}


def test_reverse_geocode_is_rate_limited(api_client, settings):
    settings.GEOCODE_RATE_LIMIT = "1/h"
    api_client.get("/api/v1/geocode/reverse/?latitude=1&longitude=1")
    response = api_client.get("/api/v1/geocode/reverse/?latitude=1&longitude=1")
    assert response.status_code == 429
