"""Stars and "Share Your Location" through the page's comment form (JavaScript off)."""

from decimal import Decimal

import pytest

from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

GUEST = {"name": "Ada", "email": "ada@example.com", "body": "Seen from here."}
PARIS = {"latitude": "48.8566", "longitude": "2.3522"}


@pytest.fixture(autouse=True)
def _publish_at_once(settings):
    settings.COMMENTS_MODERATION = "none"


def post_comment(client, article, **data):
    return client.post(f"/articles/{article.slug}/comments/post/", {**GUEST, **data})


def page(client, article) -> str:
    return client.get(article.get_absolute_url()).content.decode()


def test_form_offers_stars_and_location_with_the_button_hidden_without_js(client):
    html = page(client, make_article())
    assert 'id="comment-rating-4" name="rating" value="4"' in html
    assert 'id="comment-rating-none" name="rating" value="" checked' in html
    assert "Share Your Location" in html
    assert "data-location-use hidden>" in html
    assert 'name="location_name"' in html


def test_typed_place_name_shows_with_a_map_search_link(client):
    article = make_article()
    post_comment(client, article, location_name="Lyon, France")
    html = page(client, article)
    assert (
        'class="pin" aria-hidden="true"></span> <span data-slot="place">Lyon, France</span>' in html
    )
    assert 'href="https://www.openstreetmap.org/search?query=Lyon%2C%20France"' in html
    assert 'target="_blank" rel="noopener nofollow"' in html


def test_coordinates_without_a_name_are_rounded_and_named_offline(client):
    article = make_article()
    post_comment(client, article, **PARIS)
    comment = Comment.objects.get()
    assert (comment.latitude, comment.longitude) == (Decimal("48.86"), Decimal("2.35"))
    assert comment.location_name == "Paris, France"
    assert "mlat=48.86&amp;mlon=2.35" in page(client, article)


def test_precise_location_keeps_six_decimals(client):
    post_comment(client, make_article(), location_precise="on", **PARIS)
    comment = Comment.objects.get()
    assert comment.latitude == Decimal("48.856600")
    assert comment.location_precise is True


def test_page_never_shows_unrounded_coordinates(client):
    article = make_article()
    post_comment(client, article, **PARIS)
    html = page(client, article)
    assert "48.8566" not in html and "2.3522" not in html


@pytest.mark.parametrize(
    "location",
    [{"latitude": "91", "longitude": "2"}, {"latitude": "48.85"}, {"latitude": "north"}],
)
def test_bad_coordinates_are_a_form_error_and_nothing_is_saved(client, location):
    response = post_comment(client, make_article(), location_name="Here", **location)
    html = response.content.decode()
    assert response.status_code == 400
    assert Comment.objects.count() == 0
    assert 'id="id_location_name_error"' in html and "Seen from here.</textarea>" in html
    assert 'value="Here"' in html


def test_too_long_place_name_is_a_form_error(client):
    response = post_comment(client, make_article(), location_name="x" * 121)
    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_rating_in_the_form_counts_as_the_posters_vote(client):
    article = make_article()
    post_comment(client, article, rating="4")
    article.refresh_from_db()
    assert article.rating_count == 1
    html = page(client, article)
    assert "Your rating: 4 of 5." in html
    assert "★★★★☆" in html and "Rated 4 out of 5" in html


def test_no_rating_is_the_default(client):
    article = make_article()
    post_comment(client, article, rating="")
    article.refresh_from_db()
    assert Comment.objects.get().rating is None
    assert article.rating_count == 0


def test_bad_stars_are_a_form_error(client):
    response = post_comment(client, make_article(), rating="9")
    assert response.status_code == 400
    assert "Choose from 1 to 5 stars." in response.content.decode()
    assert Comment.objects.count() == 0


def test_rating_on_an_article_with_ratings_off_is_refused(client):
    article = make_article(ratings_enabled=False)
    response = post_comment(client, article, rating="4")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ratings are switched off for this article." in html
    assert 'name="rating"' not in html
    assert Comment.objects.count() == 0


def test_edit_renames_the_place_and_keeps_the_point(client):
    post_comment(client, make_article(), **PARIS)
    comment = Comment.objects.get()
    client.post(f"/comments/{comment.pk}/edit/", {"body": "Same", "location_name": "Home"})
    comment.refresh_from_db()
    assert comment.location_name == "Home"
    assert comment.latitude == Decimal("48.86")


def test_edit_leaving_the_location_alone_keeps_it(client):
    post_comment(client, make_article(), location_name="Lyon")
    comment = Comment.objects.get()
    client.post(f"/comments/{comment.pk}/edit/", {"body": "Changed", "location_name": "Lyon"})
    comment.refresh_from_db()
    assert (comment.body, comment.location_name) == ("Changed", "Lyon")


def test_edit_removes_the_location(client):
    post_comment(client, make_article(), **PARIS)
    comment = Comment.objects.get()
    edit_url = f"/comments/{comment.pk}/edit/"
    assert "Remove location" in client.get(edit_url).content.decode()
    data = {"body": GUEST["body"], "location_name": "Paris, France", "remove_location": "on"}
    client.post(edit_url, data)
    comment.refresh_from_db()
    assert not comment.has_location
    assert comment.latitude is None


def test_deleted_comment_shows_no_location(client):
    article = make_article()
    parent = make_comment(article, location={"name": "Secret place"})
    make_comment(article, parent=parent)
    Comment.objects.filter(pk=parent.pk).update(status=Comment.Status.DELETED)
    assert "Secret place" not in page(client, article)


def test_page_query_count_is_fixed_with_located_and_rated_comments(
    client, django_assert_num_queries
):
    article = make_article()
    for n in range(30):
        make_comment(article, location={"name": f"Town {n}"}, rating=1 + n % 5, voter=f"g:{n}")
    # The eleven of tests/comments/test_pages.py (with the newsroom's picks), no likes:
    # this first plain reader's page is the copy shared by everyone, which asks nobody's
    # likes. The location and stars are on the comment row.
    with django_assert_num_queries(11):
        client.get(article.get_absolute_url())
