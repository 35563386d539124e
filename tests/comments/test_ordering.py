"""Sorting a thread (issue 18): ?ordering=oldest|newest|top on the page and the API."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from comments import services
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


def ids_in_page(html) -> list[int]:
    return [int(pk) for pk in re.findall(r"<article id=\"c(\d+)\"", html) if pk != "0"]


def api_ids(api_client, article, query=""):
    response = api_client.get(f"/api/v1/articles/{article.slug}/comments/{query}")
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


@pytest.fixture
def thread():
    """a (oldest, 1 like) with replies a1, a2; b (3 likes); c (newest, 1 like)."""
    article = make_article()
    a = make_comment(article, body="First thread")
    a1 = make_comment(article, parent=a)
    b = make_comment(article, body="Second thread")
    a2 = make_comment(article, parent=a)
    c = make_comment(article, body="Third thread")
    now = timezone.now()
    for age, comment in ((5, a), (4, a1), (3, b), (2, a2), (1, c)):
        Comment.objects.filter(pk=comment.pk).update(created_at=now - timedelta(minutes=age))
    Comment.objects.filter(pk__in=[a.pk, c.pk]).update(like_count=1)
    Comment.objects.filter(pk=b.pk).update(like_count=3)
    return article, a, a1, a2, b, c


def test_oldest_is_the_default_on_the_page(client, thread):
    article, a, a1, a2, b, c = thread
    html = client.get(article.get_absolute_url()).content.decode()
    assert ids_in_page(html) == [a.pk, a1.pk, a2.pk, b.pk, c.pk]


def test_newest_puts_the_newest_thread_first_and_keeps_replies_oldest_first(client, thread):
    article, a, a1, a2, b, c = thread
    html = client.get(article.get_absolute_url() + "?ordering=newest").content.decode()
    assert ids_in_page(html) == [c.pk, b.pk, a.pk, a1.pk, a2.pk]


def test_top_puts_the_most_liked_thread_first_then_the_oldest(client, thread):
    article, a, a1, a2, b, c = thread
    html = client.get(article.get_absolute_url() + "?ordering=top").content.decode()
    assert ids_in_page(html) == [b.pk, a.pk, a1.pk, a2.pk, c.pk]


def test_page_ignores_a_bad_ordering(client, thread):
    article, a, a1, a2, b, c = thread
    response = client.get(article.get_absolute_url() + "?ordering=sideways")
    assert response.status_code == 200
    assert ids_in_page(response.content.decode())[0] == a.pk


def test_links_mark_the_chosen_order(client, thread):
    article = thread[0]
    html = client.get(article.get_absolute_url() + "?ordering=top").content.decode()
    current = re.findall(r'<a href="([^"]+)"[^>]*aria-current="true"[^>]*>([^<]+)</a>', html)
    assert [label for _, label in current] == ["Most liked"]
    assert "Oldest" in html and "Newest" in html


def test_link_remembers_the_choice_in_a_cookie_and_shows_that_order(client, thread):
    article, a, a1, a2, b, c = thread
    response = client.get(f"/articles/{article.slug}/comments/order/?ordering=newest")
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}?ordering=newest#comments"
    cookie = response.cookies["comments_ordering"]
    assert cookie.value == "newest"
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    # Later visits without ?ordering= use the remembered order.
    html = client.get(article.get_absolute_url()).content.decode()
    assert ids_in_page(html)[0] == c.pk


def test_bad_value_on_the_link_sets_no_cookie(client, thread):
    article = thread[0]
    response = client.get(f"/articles/{article.slug}/comments/order/?ordering=<x>")
    assert response.status_code == 302
    assert "comments_ordering" not in response.cookies


def test_query_wins_over_the_cookie(client, thread):
    article, a, a1, a2, b, c = thread
    client.cookies["comments_ordering"] = "newest"
    html = client.get(article.get_absolute_url() + "?ordering=oldest").content.decode()
    assert ids_in_page(html)[0] == a.pk


def test_bad_cookie_falls_back_to_oldest(client, thread):
    article, a, a1, a2, b, c = thread
    client.cookies["comments_ordering"] = "garbage"
    assert ids_in_page(client.get(article.get_absolute_url()).content.decode())[0] == a.pk


def test_pages_of_threads_are_stable_in_each_order(client, settings):
    settings.COMMENTS_PAGE_SIZE = 2
    article = make_article()
    roots = [make_comment(article) for _ in range(5)]
    # Same time and likes everywhere: the id breaks the ties.
    Comment.objects.update(created_at=timezone.now(), like_count=2)
    for ordering, expected in (
        ("newest", [r.pk for r in reversed(roots)]),
        ("top", [r.pk for r in roots]),
    ):
        seen = []
        for number in (1, 2, 3):
            url = f"{article.get_absolute_url()}?ordering={ordering}&cpage={number}"
            seen += ids_in_page(client.get(url).content.decode())
        assert seen == expected, ordering


def test_load_more_link_keeps_the_order(client, settings):
    settings.COMMENTS_PAGE_SIZE = 1
    article = make_article()
    first, second = make_comment(article), make_comment(article)
    html = client.get(article.get_absolute_url() + "?ordering=newest").content.decode()
    assert "?ordering=newest&amp;cpage=2" in html
    more = client.get(f"/articles/{article.slug}/comments/more/?ordering=newest&cpage=2")
    assert ids_in_page(more.content.decode()) == [first.pk]
    assert second.pk in ids_in_page(html)


def test_each_order_is_its_own_cached_page(client, thread):
    article, a, a1, a2, b, c = thread
    client.get(article.get_absolute_url())  # fills the oldest-first copy
    response = client.get(article.get_absolute_url() + "?ordering=newest")
    assert response["X-Page-Cache"] == "miss"
    assert ids_in_page(response.content.decode())[0] == c.pk
    again = client.get(article.get_absolute_url() + "?ordering=newest")
    assert again["X-Page-Cache"] == "hit"


def test_the_cookie_order_is_keyed_apart_from_the_default(client, thread):
    article, a, a1, a2, b, c = thread
    client.get(article.get_absolute_url())  # fills the oldest-first copy
    client.cookies["comments_ordering"] = "top"
    response = client.get(article.get_absolute_url())
    assert ids_in_page(response.content.decode())[0] == b.pk


def test_the_shared_threads_copy_is_keyed_on_the_order(client, thread):
    article, a, a1, a2, b, c = thread
    client.force_login(make_user())  # not page-cached: the threads copy is used
    assert ids_in_page(client.get(article.get_absolute_url()).content.decode())[0] == a.pk
    html = client.get(article.get_absolute_url() + "?ordering=top").content.decode()
    assert ids_in_page(html)[0] == b.pk


def test_an_unknown_parameter_value_is_not_page_cached(client, thread):
    article = thread[0]
    response = client.get(article.get_absolute_url() + "?ordering=sideways")
    assert "X-Page-Cache" not in response


# --- API ---------------------------------------------------------------------------------
def test_api_default_is_oldest_first(api_client, thread):
    article, a, a1, a2, b, c = thread
    assert api_ids(api_client, article) == [a.pk, a1.pk, a2.pk, b.pk, c.pk]


def test_api_newest_keeps_threads_together(api_client, thread):
    article, a, a1, a2, b, c = thread
    assert api_ids(api_client, article, "?ordering=newest") == [c.pk, b.pk, a.pk, a1.pk, a2.pk]


def test_api_top_orders_threads_by_their_likes(api_client, thread):
    article, a, a1, a2, b, c = thread
    assert api_ids(api_client, article, "?ordering=top") == [b.pk, a.pk, a1.pk, a2.pk, c.pk]


def test_api_keeps_a_deleted_roots_thread_in_place(api_client, thread):
    article, a, a1, a2, b, c = thread
    services.comment_delete(comment=a)
    assert api_ids(api_client, article, "?ordering=newest") == [c.pk, b.pk, a.pk, a1.pk, a2.pk]


@pytest.mark.parametrize("value", ["sideways", "", "NEWEST"])
def test_api_bad_ordering_is_a_400(api_client, thread, value):
    article = thread[0]
    response = api_client.get(f"/api/v1/articles/{article.slug}/comments/?ordering={value}")
    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]


def test_api_pages_are_stable(api_client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "PAGE_SIZE": 2}
    article = make_article()
    roots = [make_comment(article) for _ in range(5)]
    Comment.objects.update(created_at=timezone.now(), like_count=0)
    url = f"/api/v1/articles/{article.slug}/comments/?ordering=newest"
    seen = []
    while url:
        body = api_client.get(url).json()
        seen += [item["id"] for item in body["results"]]
        url = body["next"]
    assert seen == [r.pk for r in reversed(roots)]


def test_posting_lands_on_the_page_of_the_readers_order(client, settings):
    settings.COMMENTS_PAGE_SIZE = 1
    article = make_article()
    old = make_comment(article)
    make_comment(article)
    client.force_login(make_user())
    client.cookies["comments_ordering"] = "newest"
    response = client.post(
        f"/articles/{article.slug}/comments/post/", {"body": "Reply", "parent": old.pk}
    )
    assert response.status_code == 303
    # Newest first, the old thread is on the second of two pages.
    assert "?ordering=newest&cpage=2#c" in response["Location"]
