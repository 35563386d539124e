from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db

LIST_FIELDS = {
    "id", "slug", "title", "standfirst", "section", "published_at", "url", "comment_count",
    "rating",
}  # fmt: skip


def test_list_returns_the_contracts_fields(api_client):
    article = make_article(section=make_section(slug="world"))
    body = api_client.get("/api/v1/articles/").json()
    assert body["count"] == 1
    assert {"next", "previous", "results"} <= body.keys()
    item = body["results"][0]
    assert LIST_FIELDS <= item.keys()
    assert item["section"] == "world"
    assert item["url"] == f"http://testserver/articles/{article.slug}/"
    assert item["comment_count"] == 0
    assert item["rating"] == {"average": 0, "count": 0}


def test_list_is_newest_first_and_published_only(api_client):
    old = make_article(published_at=timezone.now() - timedelta(days=3))
    new = make_article(published_at=timezone.now() - timedelta(minutes=5))
    make_article(status=Article.Status.DRAFT)
    make_article(published_at=timezone.now() + timedelta(days=1))
    slugs = [a["slug"] for a in api_client.get("/api/v1/articles/").json()["results"]]
    assert slugs == [new.slug, old.slug]


def test_list_times_are_iso_8601_utc(api_client):
    make_article(published_at=datetime(2026, 3, 1, 12, 30, tzinfo=UTC))
    item = api_client.get("/api/v1/articles/").json()["results"][0]
    assert item["published_at"] == "2026-03-01T12:30:00Z"


def test_list_is_paginated(api_client):
    for _ in range(25):
        make_article()
    body = api_client.get("/api/v1/articles/").json()
    assert len(body["results"]) == 20
    assert body["next"].endswith("page=2")
    assert len(api_client.get("/api/v1/articles/?page_size=5").json()["results"]) == 5


def test_list_query_count_is_fixed(api_client, django_assert_num_queries):
    for _ in range(30):
        make_article()
    # 1. count, 2. the page with sections.
    with django_assert_num_queries(2):
        api_client.get("/api/v1/articles/")


def test_rating_average_has_one_decimal(api_client):
    make_article(rating_count=3, rating_sum=13)
    item = api_client.get("/api/v1/articles/").json()["results"][0]
    assert item["rating"] == {"average": 4.3, "count": 3}


def test_detail_adds_body_and_switches(api_client):
    article = make_article(body="Some *text*.", dateline="LIMA", ratings_enabled=False)
    body = api_client.get(f"/api/v1/articles/{article.slug}/").json()
    assert body["body_html"] == "<p>Some <em>text</em>.</p>"
    assert body["dateline"] == "LIMA"
    assert body["credits"] == article.credits
    assert body["comments_open"] is True
    assert body["ratings_enabled"] is False


def test_detail_of_unknown_slug_is_json_404(api_client):
    response = api_client.get("/api/v1/articles/nope/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Article matches the given query."}


def test_detail_of_draft_is_404(api_client):
    draft = make_article(status=Article.Status.DRAFT)
    assert api_client.get(f"/api/v1/articles/{draft.slug}/").status_code == 404


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_list_is_read_only(api_client):
    assert api_client.post("/api/v1/articles/", {}).status_code == 405
