"""Issue 16: approved replies never vanish with an ancestor. A deleted comment, or one
held for review (sent back by readers' flags, say), that has an approved reply anywhere
under it keeps its place as a placeholder with nothing of its own: on the article page,
in its shared cached copy and in the API."""

import json

import pytest
from django.test import Client

from comments import services
from comments.api.serializers import HELD_NAME
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db

HELD_TEXT = "This comment is awaiting moderation."


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.COMMENTS_MODERATION = "none"
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 0


def page(client, article) -> str:
    return client.get(article.get_absolute_url()).content.decode()


def api_items(article) -> list[dict]:
    return Client().get(f"/api/v1/articles/{article.slug}/comments/").json()["results"]


def send_back_to_review(comment):
    services.comment_set_status(comment=comment, status=Comment.Status.PENDING)


@pytest.fixture
def held_parent(committed):
    """A parent flagged back to review by three networks, with an approved reply."""
    with committed():
        article = make_article()
        parent = make_comment(article, body="Disputed words", guest_name="Hana")
        make_comment(article, parent=parent, body="A fair reply", guest_name="Rui")
        for ip in ("203.0.113.5", "198.51.100.5", "192.0.2.5"):
            services.comment_flag(comment=parent, voter=f"g:{ip}", reason="abuse", ip_address=ip)
    parent.refresh_from_db()
    assert parent.status == Comment.Status.PENDING
    return parent


# --- A parent held for review -----------------------------------------------------------
def test_reply_stays_under_a_placeholder_for_its_held_parent(client, held_parent):
    html = page(client, held_parent.article)
    assert "A fair reply" in html
    assert HELD_TEXT in html
    assert "Disputed words" not in html and "Hana" not in html
    assert "Comments (1)" in html


def test_held_placeholder_has_no_like_reply_or_flag(client, held_parent):
    html = page(client, held_parent.article)
    for action in ("like", "flag"):
        assert f"/comments/{held_parent.pk}/{action}/" not in html
    assert f"replyto={held_parent.pk}" not in html


def test_api_lists_the_held_parent_as_a_placeholder(held_parent):
    items = api_items(held_parent.article)
    assert [i["id"] for i in items] == [held_parent.pk, items[1]["id"]]
    placeholder = items[0]
    assert placeholder["is_hidden"] is True and placeholder["is_deleted"] is False
    assert placeholder["body_html"] == HELD_NAME
    assert placeholder["author"] == {"name": HELD_NAME, "is_guest": False, "badge": None}
    assert (placeholder["like_count"], placeholder["attachments"]) == (0, [])
    assert (placeholder["location"], placeholder["rating"]) == (None, None)
    assert "Disputed" not in json.dumps(items) and "Hana" not in json.dumps(items)
    assert items[1]["is_hidden"] is False and items[1]["parent"] == held_parent.pk


def test_api_detail_of_a_held_parent_is_a_placeholder_to_strangers(held_parent):
    item = Client().get(f"/api/v1/comments/{held_parent.pk}/").json()
    assert (item["is_hidden"], item["body_html"], item["status"]) == (True, HELD_NAME, "pending")


def test_api_detail_of_a_held_parent_is_whole_for_moderators(held_parent, moderator):
    client = Client()
    client.force_login(moderator)
    item = client.get(f"/api/v1/comments/{held_parent.pk}/").json()
    assert (item["is_hidden"], item["author"]["name"]) == (False, "Hana")


def test_the_author_of_a_held_parent_sees_it_whole_with_its_badge(committed):
    author = make_user()
    with committed():
        article = make_article()
        parent = make_comment(article, user=author, body="My own words")
        make_comment(article, parent=parent, body="A reply")
        send_back_to_review(parent)
    client = Client()
    client.force_login(author)
    html = page(client, article)
    assert "My own words" in html and "Awaiting moderation" in html and "A reply" in html
    assert HELD_TEXT not in html


def test_a_held_comment_without_approved_replies_is_not_shown(client):
    article = make_article()
    comment = make_comment(article, body="Under review")
    make_comment(article, parent=comment, status=Comment.Status.PENDING, body="Held reply")
    send_back_to_review(comment)
    html = page(client, article)
    assert f'id="c{comment.pk}"' not in html and HELD_TEXT not in html
    assert api_items(article) == []


def test_the_shared_copy_follows_the_parents_approval(settings, held_parent, moderator, committed):
    settings.COMMENTS_THREADS_CACHE_TIMEOUT = 300
    article = held_parent.article
    assert HELD_TEXT in page(Client(), article)  # fills the shared copy
    with committed():
        services.comment_approve(comment=held_parent, by=moderator)
    html = page(Client(), article)
    assert "Disputed words" in html and HELD_TEXT not in html


def test_the_shared_copy_is_kept_with_a_placeholder(
    settings, held_parent, django_assert_max_num_queries
):
    settings.COMMENTS_THREADS_CACHE_TIMEOUT = 300
    page(Client(), held_parent.article)
    with django_assert_max_num_queries(5):  # the threads come from the shared copy
        assert "A fair reply" in page(Client(), held_parent.article)


# --- Deleted (or held) ancestors above the direct parent -----------------------------------
@pytest.fixture
def chain():
    """A → B → C → D, all approved."""
    article = make_article()
    comments = [make_comment(article, body="Comment A")]
    for name in "BCD":
        comments.append(make_comment(article, parent=comments[-1], body=f"Comment {name}"))
    return comments


def test_reply_under_two_deleted_ancestors_stays_on_the_page(client, chain):
    a, b, c, d = chain
    services.comment_delete(comment=b)
    services.comment_delete(comment=c)
    html = page(client, a.article)
    assert "Comment A" in html and "Comment D" in html
    assert html.count("[deleted]") == 2
    assert "Comments (2)" in html


def test_reply_under_two_deleted_ancestors_stays_in_the_api(chain):
    a, b, c, d = chain
    services.comment_delete(comment=b)
    services.comment_delete(comment=c)
    items = api_items(a.article)
    assert [(i["id"], i["is_deleted"]) for i in items] == [
        (a.pk, False),
        (b.pk, True),
        (c.pk, True),
        (d.pk, False),
    ]


def test_a_deleted_root_over_a_held_comment_over_a_reply(client, chain):
    a, b, c, d = chain
    services.comment_delete(comment=a)
    send_back_to_review(b)
    services.comment_delete(comment=c)
    html = page(client, a.article)
    assert "Comment D" in html and HELD_TEXT in html and html.count("[deleted]") == 2
    assert "Comment B" not in html
    assert [i["id"] for i in api_items(a.article)] == [a.pk, b.pk, c.pk, d.pk]


def test_deleted_ancestors_go_when_their_last_approved_reply_does(client, chain):
    a, b, c, d = chain
    for comment in (b, c, d):
        services.comment_delete(comment=comment)
    html = page(client, a.article)
    assert "Comment A" in html and "[deleted]" not in html


def test_placeholders_cost_no_query(client, django_assert_num_queries, settings):
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 300  # as test_pages.py: the shared page
    article = make_article()
    for _ in range(20):
        root = make_comment(article)
        middle = make_comment(article, parent=root)
        make_comment(article, parent=make_comment(article, parent=middle))
        services.comment_delete(comment=root)
        send_back_to_review(middle)
    # As tests/comments/test_pages.py counts them: the article, latest headlines,
    # navigation, the rating, count of threads, the roots, the comments, their
    # attachments, the newsroom's picks, the newsletter box and the social box.
    with django_assert_num_queries(11):
        html = page(client, article)
    assert html.count("[deleted]") == 20 and html.count(HELD_TEXT) == 20
