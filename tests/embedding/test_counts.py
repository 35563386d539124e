import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.services import article_outside_get_or_create
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_counts_by_url_and_slug(site, client):
    page, _ = article_outside_get_or_create(url="https://host.example/a", title="A")
    page.__class__.objects.filter(pk=page.pk).update(comment_count=3, rating_count=2, rating_sum=9)
    ours = make_article(title="Ours")
    response = client.get(
        "/api/v1/counts/",
        {"url": ["https://host.example/a", "https://host.example/new"], "slug": ours.slug},
    )
    assert response.json()["results"] == [
        {
            "url": "https://host.example/a",
            "slug": page.slug,
            "comment_count": 3,
            "rating": {"average": 4.5, "count": 2},
        },
        {
            "url": "https://host.example/new",
            "slug": None,
            "comment_count": 0,
            "rating": {"average": 0, "count": 0},
        },
        {
            "url": f"http://testserver/articles/{ours.slug}/",
            "slug": ours.slug,
            "comment_count": 0,
            "rating": {"average": 0, "count": 0},
        },
    ]


def test_fifty_pages_cost_one_query(site, client):
    urls = [f"https://host.example/story/{n}" for n in range(50)]
    for url in urls[:40]:
        article_outside_get_or_create(url=url, title=url)
    # The articles matching the 50 addresses, in one query (the embed sites' list is
    # not read: counts need no site).
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/counts/", {"url": urls})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 50
    assert len(queries) == 1


def test_more_than_fifty_is_400(client, db):
    response = client.get("/api/v1/counts/", {"slug": [f"s{n}" for n in range(51)]})
    assert response.status_code == 400


def test_nothing_asked_is_400(client, db):
    assert client.get("/api/v1/counts/").status_code == 400
