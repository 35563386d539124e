import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import Comment
from tests.factories import make_article, make_comment

PROFILE = "/accounts/profile/"


def test_my_comments_lists_own_comments_with_article_link(reader_client, reader):
    article = make_article(title="Tram line extended")
    comment = make_comment(article, user=reader, body="Finally, a tram to the harbour.")

    response = reader_client.get(PROFILE)

    assertContains(
        response, f'<a class="my-comments__article" href="{article.get_absolute_url()}">'
    )
    assertContains(response, "Finally, a tram to the harbour.")
    assertContains(response, f'href="{comment.get_absolute_url()}">View comment</a>')


def test_my_comments_shows_the_text_as_rendered_not_its_markdown(reader_client, reader):
    make_comment(user=reader, body="It is **bold** & [linked](https://example.org/)")

    response = reader_client.get(PROFILE)

    assertContains(response, '<p class="my-comments__excerpt">It is bold &amp; linked</p>')
    assertNotContains(response, "**bold**")


def test_my_comments_shows_markup_typed_in_a_comment_as_text(reader_client, reader):
    make_comment(user=reader, body="Try <script>alert(1)</script> here")

    response = reader_client.get(PROFILE)

    assertContains(response, "Try &lt;script&gt;alert(1)&lt;/script&gt; here")
    assertNotContains(response, "<script>alert(1)")


def test_my_comments_excerpt_is_one_line_cut_at_160_characters(reader_client, reader):
    make_comment(user=reader, body="> Quoted\n\n" + "word " * 60)

    response = reader_client.get(PROFILE)

    excerpt = ("Quoted " + "word " * 60)[:159] + "…"
    assertContains(response, f'<p class="my-comments__excerpt">{excerpt}</p>')


def test_my_comments_does_not_list_other_peoples_comments(reader_client, reader, editor):
    make_comment(user=editor, body="The editor's own view")
    make_comment(body="A guest's view")

    response = reader_client.get(PROFILE)

    assertNotContains(response, "The editor's own view")
    assertNotContains(response, "A guest's view")


def test_pending_comment_shows_to_its_author_as_awaiting_moderation(reader_client, reader):
    make_comment(user=reader, body="Held for review", status=Comment.Status.PENDING)

    response = reader_client.get(PROFILE)

    assertContains(response, "Held for review")
    assertContains(response, "Awaiting moderation")


@pytest.mark.parametrize("status", [Comment.Status.SPAM, Comment.Status.REJECTED])
def test_refused_comment_shows_as_not_published(reader_client, reader, status):
    make_comment(user=reader, body="Refused words", status=status)

    response = reader_client.get(PROFILE)

    assertContains(response, "Refused words")
    assertContains(response, "Not published")
    assertNotContains(response, "View comment")


def test_deleted_comment_is_not_listed(reader_client, reader):
    make_comment(user=reader, body="Taken back", status=Comment.Status.DELETED)

    assertNotContains(reader_client.get(PROFILE), "Taken back")


def test_my_comments_are_newest_first_and_paginated_by_20(reader_client, reader):
    article = make_article()
    for n in range(21):
        make_comment(article, user=reader, body=f"Remark {n:02d}")

    first = reader_client.get(PROFILE).content.decode()
    second = reader_client.get(PROFILE, {"page": 2}).content.decode()

    assert first.index("Remark 20") < first.index("Remark 01")
    assert "Remark 00" not in first
    assert "Remark 00" in second
    assert 'href="?page=2#my-comments"' in first


def test_profile_query_count_does_not_grow_with_comments(reader_client, reader):
    article = make_article()
    for _ in range(3):
        make_comment(article, user=reader)
    with CaptureQueriesContext(connection) as few:
        reader_client.get(PROFILE)
    for _ in range(27):
        make_comment(article, user=reader)

    with CaptureQueriesContext(connection) as many:
        response = reader_client.get(PROFILE)

    assert response.status_code == 200
    assert len(many) == len(few)
    # "My comments" costs two: the count for the pages, and one page with its articles.
    assert sum('FROM "comments_comment"' in q["sql"] for q in many.captured_queries) == 2
