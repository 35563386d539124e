import re

import pytest

from comments import services
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


def page(client, article, query=""):
    return client.get(article.get_absolute_url() + query).content.decode()


def test_empty_state_is_shown_without_comments(client):
    assert "There are no comments posted here yet" in page(client, make_article())


def test_heading_counts_approved_comments(client):
    article = make_article()
    make_comment(article)
    make_comment(article)
    make_comment(article, status=Comment.Status.PENDING)
    assert "Comments (2)" in page(client, article)


def test_replies_follow_their_parent_in_the_html(client):
    article = make_article()
    first = make_comment(article)
    second = make_comment(article)
    reply = make_comment(article, parent=first)
    html = page(client, article)
    positions = [html.index(f'id="c{c.pk}"') for c in (first, reply, second)]
    assert positions == sorted(positions)
    assert html.index('class="comment-replies"') < html.index(f'id="c{second.pk}"')


def test_pending_comment_is_not_shown(client):
    article = make_article()
    make_comment(article, body="Awaiting a moderator", status=Comment.Status.PENDING)
    assert "Awaiting a moderator" not in page(client, article)


def test_deleted_comment_with_replies_shows_a_placeholder(client):
    article = make_article()
    parent = make_comment(article, body="Regrettable words")
    make_comment(article, parent=parent, body="A reply")
    services.comment_delete(comment=parent)
    html = page(client, article)
    assert "[deleted]" in html
    assert "Regrettable words" not in html
    assert "A reply" in html


def test_deleted_comment_without_replies_is_gone(client):
    article = make_article()
    comment = make_comment(article, body="Regrettable words")
    services.comment_delete(comment=comment)
    html = page(client, article)
    assert "[deleted]" not in html
    assert f'id="c{comment.pk}"' not in html


def test_comment_shows_author_relative_time_and_edited_mark(client):
    article = make_article()
    comment = make_comment(article, guest_name="Ada")
    services.comment_edit(comment=comment, body="Changed my mind")
    html = page(client, article)
    assert '<span class="comment__author" data-slot="author">Ada</span>' in html
    assert f'datetime="{comment.created_at.isoformat()}"' in html
    assert re.search(r">just now</time>", html)  # articles.times: one wording site-wide
    assert ">edited</span>" in html


def test_guest_sees_the_guest_form_with_signup_and_login_links(client):
    article = make_article()
    html = page(client, article)
    next_param = f"?next={article.get_absolute_url()}%23comments"
    assert "Leave your comments" in html
    assert "Posting comment as a guest." in html
    assert f'<a href="/accounts/signup/{next_param}">Sign up</a>' in html
    assert f'<a href="/accounts/login/{next_param}">login</a>' in html
    assert 'name="name"' in html and 'name="email"' in html
    assert "Never shown publicly." in html
    assert 'maxlength="5000"' in html
    assert "Notify me of replies by email" in html


def test_signed_in_reader_posts_as_themselves_without_name_or_email(client):
    client.force_login(make_user("reader", display_name="Rita Reader"))
    html = page(client, make_article())
    assert "Posting as <strong>Rita Reader</strong>" in html
    assert 'name="name"' not in html
    assert 'name="email"' not in html
    assert "Email me about new comments in this conversation" in html


def test_closed_article_shows_no_form(client):
    article = make_article(comments_open=False)
    html = page(client, article)
    assert "Comments are closed for this article." in html
    assert f"/articles/{article.slug}/comments/post/" not in html


def test_reply_link_opens_the_form_under_the_comment(client):
    article = make_article()
    comment = make_comment(article)
    html = page(client, article, f"?replyto={comment.pk}")
    assert f'href="?replyto={comment.pk}#reply-{comment.pk}"' in html
    slot = html.index(f'id="reply-{comment.pk}"')
    assert html.index(f'id="c{comment.pk}"') < slot < html.index('id="comment-form"')
    assert f'name="parent" value="{comment.pk}"' in html


def test_second_page_of_threads_and_load_more_link(client, settings):
    settings.COMMENTS_PAGE_SIZE = 2
    article = make_article()
    comments = [make_comment(article) for _ in range(5)]
    first = page(client, article)
    assert 'href="?cpage=2#comments"' in first
    assert "Load more comments" in first
    second = page(client, article, "?cpage=2")
    assert f'id="c{comments[2].pk}"' in second
    assert f'id="c{comments[0].pk}"' not in second
    assert 'href="?cpage=3#comments"' in second


def test_load_more_fragment_holds_the_next_threads(client, settings):
    settings.COMMENTS_PAGE_SIZE = 2
    article = make_article()
    comments = [make_comment(article) for _ in range(3)]
    response = client.get(f"/articles/{article.slug}/comments/more/?cpage=2")
    html = response.content.decode()
    assert f'id="c{comments[2].pk}"' in html
    assert "<html" not in html
    assert "Load more comments" not in html


def test_load_more_is_assembled_from_cached_fragments(client, settings, monkeypatch):
    from comments import fragments

    settings.COMMENTS_PAGE_SIZE = 2
    article = make_article()
    comments = [make_comment(article) for _ in range(4)]
    drawn = []
    real_draw = fragments._draw
    monkeypatch.setattr(
        fragments, "_draw", lambda c, **kw: drawn.append(c.pk) or real_draw(c, **kw)
    )
    url = f"/articles/{article.slug}/comments/more/?cpage=2"
    client.get(url)
    assert drawn == [comments[2].pk, comments[3].pk]
    again = client.get(url).content.decode()
    assert drawn == [comments[2].pk, comments[3].pk]  # the second time from the cache
    assert f'id="c{comments[2].pk}"' in again and f'id="c{comments[3].pk}"' in again


def _article_with_threads(threads, replies_each):
    article = make_article()
    for _ in range(threads):
        root = make_comment(article)
        for _ in range(replies_each):
            make_comment(article, parent=root)
    return article


@pytest.mark.parametrize("ordering", ["oldest", "newest", "top"])
@pytest.mark.parametrize(("threads", "replies_each"), [(5, 0), (100, 4)])
def test_article_page_query_count_does_not_grow_with_comments(
    client, django_assert_num_queries, threads, replies_each, ordering
):
    article = _article_with_threads(threads, replies_each)
    assert Comment.objects.count() in (5, 500)
    # 1. the article with its section, 2. the sidebar's latest articles, 3. navigation
    # sections, 4. the rating's distribution and the reader's vote, 5. count of threads,
    # 6. the page's thread roots (in the order asked for), 7. every public comment of
    # those threads with its author and badge, 8. their attachments, 9. the newsroom's
    # picks, 10. the newsletter box's lists, 11. the social box's posts (both cached
    # after the first view). No likes: this plain reader's page is the copy every
    # reader is served (tests/articles/test_page_cache_neutral.py).
    with django_assert_num_queries(11):
        client.get(f"{article.get_absolute_url()}?ordering={ordering}")


@pytest.mark.parametrize("ordering", ["oldest", "newest", "top"])
@pytest.mark.parametrize(("threads", "replies_each"), [(5, 0), (100, 4)])
def test_signed_in_page_query_count_does_not_grow_with_comments(
    client, django_assert_num_queries, threads, replies_each, ordering
):
    article = _article_with_threads(threads, replies_each)
    client.force_login(make_user("reader"))
    client.cookies["comments_ordering"] = ordering
    # The eleven above and 12. the user (the session is in the cache), 13. whether they
    # may moderate (they would see more), 14. whether they have a comment still
    # editable or held, and whether they follow the conversation, 15. which of the
    # comments they liked, 16. their vote (not in the rating's aggregate: the page is
    # the readers' copy).
    with django_assert_num_queries(16):
        assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
    # Then the copy: 1. the user, 2. the article; their standing on the article (may
    # they share the copy, do they follow, their likes and vote) is kept in the cache
    # for this version of the article.
    with django_assert_num_queries(2):
        assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"


def test_emails_never_appear_in_the_page(client):
    article = make_article()
    make_comment(article, guest_name="Gus", guest_email="gus.secret@example.com")
    make_comment(article, user=make_user("writer", email="writer.secret@example.com"))
    html = page(client, article)
    assert "Gus" in html
    assert "secret@example.com" not in html
