"""Newsroom picks (issue 18): featured comments above the thread, marked in place."""

import pytest

from comments.decisions import comment_decide
from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


def feature(comment, moderator, action="feature"):
    return comment_decide(comment=comment, action=action, by=moderator)


def page(client, article, query=""):
    return client.get(article.get_absolute_url() + query).content.decode()


def test_no_strip_without_picks(client):
    article = make_article()
    make_comment(article)
    assert "Newsroom picks" not in page(client, article)


def test_featured_comment_shows_in_the_strip_with_a_link_to_its_place(client, moderator):
    article = make_article()
    comment = make_comment(article, body="A sharp point.", guest_name="Ana")
    feature(comment, moderator)
    html = page(client, article)
    strip = html[
        html.index("Newsroom picks") : html.index("</section>", html.index("Newsroom picks"))
    ]
    assert f'href="#c{comment.pk}"' in strip
    assert "Ana" in strip and "A sharp point." in strip


def test_featured_comment_is_marked_in_place(client, moderator):
    article = make_article()
    comment = make_comment(article)
    other = make_comment(article)
    feature(comment, moderator)
    html = page(client, article)
    mine = html[html.index(f'id="c{comment.pk}"') : html.index(f'id="c{other.pk}"')]
    assert "Newsroom pick<" in mine
    assert html[html.index(f'id="c{other.pk}"') :].count("Newsroom pick<") == 0


def test_excerpt_is_escaped(client, moderator):
    article = make_article()
    comment = make_comment(article, body="a <script>alert(1)</script> b")
    Comment.objects.filter(pk=comment.pk).update(body_html="<p>x &lt;img src=y onerror=z&gt;</p>")
    feature(comment, moderator)
    html = page(client, article)
    assert "<img src=y" not in html
    assert "&lt;img src=y onerror=z&gt;" in html


def test_unfeaturing_removes_it_from_the_cached_page(client, moderator, committed):
    article = make_article()
    comment = make_comment(article)
    with committed():
        feature(comment, moderator)
    assert "Newsroom picks" in page(client, article)
    with committed():
        feature(comment, moderator, action="unfeature")
    assert "Newsroom picks" not in page(client, article)


def test_strip_reaches_signed_in_readers_through_the_threads_copy(client, moderator, committed):
    from tests.factories import make_user

    article = make_article()
    comment = make_comment(article, body="Worth reading.")
    client.force_login(make_user())
    page(client, article)  # fills the shared threads copy
    with committed():
        feature(comment, moderator)
    assert "Newsroom picks" in page(client, article)
    assert "Newsroom picks" in page(client, article)  # from the copy


def test_api_has_is_featured_on_every_comment(api_client, moderator):
    article = make_article()
    picked, plain = make_comment(article), make_comment(article)
    feature(picked, moderator)
    items = api_client.get(f"/api/v1/articles/{article.slug}/comments/").json()["results"]
    assert {item["id"]: item["is_featured"] for item in items} == {picked.pk: True, plain.pk: False}


def test_api_featured_lists_only_picks_newest_pick_first(api_client, moderator):
    article = make_article()
    first, second = make_comment(article), make_comment(article)
    make_comment(article)
    feature(second, moderator)
    feature(first, moderator)
    response = api_client.get(f"/api/v1/articles/{article.slug}/comments/?featured=1")
    assert [item["id"] for item in response.json()["results"]] == [first.pk, second.pk]


def test_api_bad_featured_is_a_400(api_client):
    article = make_article()
    response = api_client.get(f"/api/v1/articles/{article.slug}/comments/?featured=maybe")
    assert response.status_code == 400
    assert list(response.json()) == ["featured"]


def test_page_query_count_with_picks(client, moderator, django_assert_num_queries):
    article = make_article()
    for comment in [make_comment(article) for _ in range(8)]:
        feature(comment, moderator)
    # As tests/comments/test_pages.py: 11, the 9th being the picks (one query, however
    # many there are).
    with django_assert_num_queries(11):
        client.get(article.get_absolute_url())
