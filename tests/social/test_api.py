from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.social.makers import make_post, make_source

pytestmark = pytest.mark.django_db


def test_posts_api_lists_fields(api_client):
    source = make_source(
        name="Newsite on Mastodon", label="Mastodon", profile_url="https://m.example/@n"
    )
    make_post(
        source,
        text="Hi",
        url="https://m.example/1",
        published_at=datetime(2025, 6, 3, 10, tzinfo=UTC),
    )
    response = api_client.get(reverse("api:social-posts"))
    assert response.status_code == 200
    assert response.json()["count"] == 1
    post = response.json()["results"][0]
    assert post["text"] == "Hi"
    assert post["url"] == "https://m.example/1"
    assert post["published_at"] == "2025-06-03T10:00:00Z"
    assert (post["source"], post["source_label"], post["source_url"]) == (
        "Newsite on Mastodon",
        "Mastodon",
        "https://m.example/@n",
    )


def test_posts_api_is_newest_first_and_hides_hidden_posts(api_client):
    now = timezone.now()
    make_post(text="older", published_at=now - timedelta(hours=2))
    make_post(text="newer", published_at=now - timedelta(hours=1))
    make_post(text="hidden", is_visible=False)
    response = api_client.get("/api/v1/social/posts/")
    assert [p["text"] for p in response.json()["results"]] == ["newer", "older"]


def test_posts_api_query_count_does_not_grow_with_posts(api_client):
    for _ in range(3):
        source = make_source()
        for _ in range(5):
            make_post(source)
    # The count, then one page of posts joined with their sources.
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/social/posts/")
    assert len(response.json()["results"]) == 15
    assert len(queries) == 2
