"""The public comments list is the same for every reader, so its answer is drawn once
per article version and query (its ETag) and kept under the threads cache's timeout
(issue 19): a second reader costs the article's row, never the page of comments."""

import pytest

from comments import services
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _threads_cache_on(settings):
    settings.COMMENTS_THREADS_CACHE_TIMEOUT = 300
    settings.COMMENTS_MODERATION = "none"


def url(article, query=""):
    return f"/api/v1/articles/{article.slug}/comments/{query}"


@pytest.fixture
def article(committed):
    article = make_article()
    with committed():
        for n in range(3):
            make_comment(article, body=f"Comment {n}")
    return article


def test_second_reader_of_the_same_list_costs_only_the_article(
    api_client, article, django_assert_num_queries
):
    first = api_client.get(url(article, "?page_size=100"))
    # 1. the article (the authority on its version and on being published).
    with django_assert_num_queries(1):
        again = api_client.get(url(article, "?page_size=100"))
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]


def test_a_new_comment_is_in_the_next_answer(api_client, article, committed):
    api_client.get(url(article))
    with committed():
        make_comment(article, body="Late but right")
    bodies = [row["body_html"] for row in api_client.get(url(article)).json()["results"]]
    assert any("Late but right" in body for body in bodies)


def test_a_deletion_is_in_the_next_answer(api_client, article, committed):
    first = api_client.get(url(article)).json()["results"][0]
    with committed():
        services.comment_delete(comment=article.comments.get(pk=first["id"]))
    ids = [row["id"] for row in api_client.get(url(article)).json()["results"]]
    assert first["id"] not in ids


def test_each_query_and_host_is_an_answer_of_its_own(api_client, article, settings):
    settings.ALLOWED_HOSTS = ["testserver", "news.example.org"]
    oldest = api_client.get(url(article, "?ordering=oldest")).json()["results"]
    newest = api_client.get(url(article, "?ordering=newest")).json()["results"]
    assert [row["id"] for row in newest] == [row["id"] for row in reversed(oldest)]
    other = api_client.get(url(article), HTTP_HOST="news.example.org").json()["results"]
    assert other[0]["url"].startswith("http://news.example.org/")


def test_with_the_threads_cache_off_every_answer_is_drawn(
    api_client, article, settings, django_assert_num_queries
):
    settings.COMMENTS_THREADS_CACHE_TIMEOUT = 0
    api_client.get(url(article))
    # 1. the article, 2. count, 3. the page with its users, 4. their attachments.
    with django_assert_num_queries(4):
        api_client.get(url(article))
