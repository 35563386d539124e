"""A NUL character in a query string is a 400 everywhere, before it reaches a query
(PostgreSQL refuses NUL in text, so ``/search/?q=%00`` was a 500 there; these tests run
on both databases)."""

import pytest

from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

PAGES = [
    "/search/?q=%00",
    "/search/?q=news%00",
    "/?page=1%00",
    "/feeds/articles/?x=%00",
    "/articles/{slug}/?cpage=%00",
    "/articles/{slug}/?replyto=%00",
    "/articles/{slug}/comments/more/?cpage=%00",
]
API = [
    ("/api/v1/articles/?search=%00", "search"),
    ("/api/v1/articles/{slug}/comments/?page=%00", "page"),
    ("/api/v1/articles/{slug}/comments/?ordering=%00", "ordering"),
    ("/api/v1/moderation/comments/?status=%00", "status"),
    ("/api/v1/geocode/reverse/?latitude=%00&longitude=1", "latitude"),
]


@pytest.mark.parametrize("url", PAGES)
def test_a_nul_in_a_page_query_is_a_400_page(client, url):
    article = make_article()
    make_comment(article)
    response = client.get(url.format(slug=article.slug))
    assert response.status_code == 400
    assert b"Null characters are not allowed." in response.content


@pytest.mark.parametrize(("url", "name"), API)
def test_a_nul_in_an_api_query_is_a_400_naming_the_parameter(api_client, url, name):
    article = make_article()
    response = api_client.get(url.format(slug=article.slug))
    assert response.status_code == 400
    assert response.json() == {name: ["Null characters are not allowed."]}


def test_a_nul_in_a_parameter_name_is_refused_too(client):
    assert client.get("/search/?q%00=news").status_code == 400


def test_an_ordinary_query_still_works(client):
    make_article(title="Harbour news")
    assert client.get("/search/?q=harbour").status_code == 200
