"""Closing comments (issue 18): by the clock (``COMMENTS_CLOSE_AFTER_DAYS`` or the
article's own setting), or by a moderator's hand (the admin, the article page, the API);
what a closed thread shows and refuses; and that no cached page offers a form after the
close time."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone

from articles.models import Article
from articles.services import article_comments_switch
from comments.models import Comment, CommentFlag, CommentLike
from tests.concurrency import race
from tests.factories import make_article, make_comment, make_section, make_user

pytestmark = pytest.mark.django_db

GUEST = {"name": "Ada", "email": "ada@example.com", "body": "Late to the party."}
FORM = 'id="respond"'
REPLY = re.compile(r"replyto=\d+")


class Clock:
    """The site's clock, moved forward by the tests (``timezone.now``)."""

    def __init__(self):
        self.offset = timedelta()

    def forward(self, **kwargs):
        self.offset += timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    clock, real_now = Clock(), timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock.offset)
    return clock


@pytest.fixture
def closing_soon(settings):
    """Comments close three days after publication: this article has a minute left."""
    settings.COMMENTS_CLOSE_AFTER_DAYS = 3
    return make_article(published_at=timezone.now() - timedelta(days=3) + timedelta(minutes=1))


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def page(client, article, query="") -> str:
    response = client.get(article.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def day(value) -> str:
    """A date as the closed notice shows it: "3 Dec 2026"."""
    return dateformat.format(timezone.localtime(value), "j M Y")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def state_url(article) -> str:
    return reverse("comments:state", args=[article.slug])


def api_url(article) -> str:
    return f"/api/v1/moderation/articles/{article.slug}/comments-state/"


@pytest.fixture
def desk_editor(db):
    """Staff who may change articles, but not moderate comments."""
    user = make_user("deskeditor", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    return user


def refused_users(request, desk_editor, article):
    """The people who may not close comments: a signed-in reader, the author of one of
    the comments, an editor without moderation rights, and a guest (None)."""
    author = make_user("commenter")
    make_comment(article, user=author)
    return {
        "reader": make_user("plainreader"),
        "author": author,
        "editor": desk_editor,
        "guest": None,
    }[request.param]


REFUSED = ["reader", "author", "editor", "guest"]


# --- When comments close ---------------------------------------------------------------
def test_by_default_comments_never_close():
    article = make_article(published_at=ago(days=3650))
    assert article.comments_close_at is None
    assert article.accepting_comments


def test_setting_closes_comments_that_many_days_after_publication(closing_soon, clock):
    assert closing_soon.comments_close_at == closing_soon.published_at + timedelta(days=3)
    assert closing_soon.accepting_comments
    clock.forward(minutes=2)
    assert not closing_soon.accepting_comments


def test_article_override_zero_never_closes_despite_the_setting(settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 1
    article = make_article(published_at=ago(days=400), comments_close_after_days=0)
    assert article.comments_close_at is None
    assert article.accepting_comments


def test_article_override_beats_the_setting(settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    shorter = make_article(published_at=ago(days=3), comments_close_after_days=2)
    settings.COMMENTS_CLOSE_AFTER_DAYS = 1
    longer = make_article(published_at=ago(days=3), comments_close_after_days=5)
    assert not shorter.accepting_comments
    assert longer.accepting_comments
    assert longer.comments_close_at == longer.published_at + timedelta(days=5)


def test_closed_by_hand_closes_at_the_moderators_time():
    article = make_article()
    article.close_comments(at=ago(hours=2))
    assert article.comments_close_at == article.comments_closed_at
    assert not article.accepting_comments


def test_an_unpublished_article_accepts_no_comments():
    assert not make_article(status=Article.Status.DRAFT).accepting_comments


# --- What a closed thread shows ----------------------------------------------------------
def test_closed_thread_stays_readable_and_says_since_when(client, closing_soon, clock):
    make_comment(closing_soon, body="Still worth reading.")
    clock.forward(minutes=2)
    html = page(client, closing_soon)
    assert "Still worth reading." in html
    close_at = closing_soon.published_at + timedelta(days=3)
    assert f'Comments closed on <time datetime="{close_at.isoformat()}"' in html
    assert f">{day(close_at)}</time>, 3 days after publication." in html


def test_closed_thread_offers_no_form_and_no_reply_links(client, closing_soon, clock):
    comment = make_comment(closing_soon)
    assert FORM in page(client, closing_soon) and REPLY.search(page(client, closing_soon))
    clock.forward(minutes=2)
    html = page(client, closing_soon, f"?replyto={comment.pk}")
    assert FORM not in html
    assert "comments/post/" not in html
    assert not REPLY.search(html)


def test_hand_closed_thread_names_the_newsroom_and_the_date(client):
    article = make_article()
    article.close_comments(at=ago(days=2))
    html = page(client, article)
    assert "Comments were closed by the newsroom on" in html
    assert f">{day(article.comments_closed_at)}</time>." in html
    assert FORM not in html


def test_closed_without_a_recorded_time_says_closed(client):
    assert "Comments are closed for this article." in page(
        client, make_article(comments_open=False)
    )


def test_feed_link_is_left_out_only_when_closed_and_empty(client):
    open_empty = make_article()
    closed_empty = make_article(comments_open=False)
    closed_with_comments = make_article()
    make_comment(closed_with_comments)
    closed_with_comments.close_comments()
    assert "Comments feed (RSS)" in page(client, open_empty)
    assert "Comments feed (RSS)" not in page(client, closed_empty)
    assert "Comments feed (RSS)" in page(client, closed_with_comments)


def test_closed_thread_keeps_the_star_form_only_where_ratings_are_on(client):
    rated = make_article(comments_open=False)
    unrated = make_article(comments_open=False, ratings_enabled=False)
    assert "data-rating-form" in page(client, rated)
    html = page(client, unrated)
    assert "data-rating-form" not in html
    assert 'id="rating"' not in html


def test_closed_article_page_costs_the_same_queries(client, django_assert_num_queries):
    article = make_article(comments_open=False)
    for _ in range(20):
        make_article(section=make_section())
    # As tests/articles/test_pages.py: 1. the article with its section, 2. latest
    # headlines, 3. navigation, 4. the rating, 5. the newsletter box, 6. the social box.
    with django_assert_num_queries(6):
        client.get(article.get_absolute_url())


# --- Posting after the close ---------------------------------------------------------------
def test_api_post_after_the_close_is_403_and_saves_nothing(api_client, closing_soon, clock):
    clock.forward(minutes=2)
    response = api_client.post(
        f"/api/v1/articles/{closing_soon.slug}/comments/", GUEST, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Comments are closed for this article."}
    assert Comment.objects.count() == 0


def test_page_post_after_the_close_is_refused_and_saves_nothing(client, closing_soon, clock):
    clock.forward(minutes=2)
    response = client.post(reverse("comments:post", args=[closing_soon.slug]), GUEST)
    assert response.status_code == 403
    assert "Comments are closed for this article." in response.content.decode()
    assert Comment.objects.count() == 0


def test_post_just_before_the_close_is_taken(api_client, closing_soon, clock, settings):
    settings.COMMENTS_MODERATION = "none"
    response = api_client.post(
        f"/api/v1/articles/{closing_soon.slug}/comments/", GUEST, format="json"
    )
    assert response.status_code == 201


def test_likes_and_flags_keep_working_on_a_closed_thread(api_client, closing_soon, clock):
    comment = make_comment(closing_soon)
    clock.forward(minutes=2)
    like = api_client.post(f"/api/v1/comments/{comment.pk}/like/")
    flag = api_client.post(f"/api/v1/comments/{comment.pk}/flag/", {"reason": "spam"})
    assert (like.status_code, flag.status_code) == (200, 201)
    assert (CommentLike.objects.count(), CommentFlag.objects.count()) == (1, 1)


# --- Closing by hand: the admin --------------------------------------------------------------
def admin_action(user, action, *articles):
    return signed_in(user).post(
        "/admin/articles/article/",
        {"action": action, "_selected_action": [a.pk for a in articles]},
        follow=True,
    )


def test_admin_action_closes_comments_with_a_history_entry():
    """A member of the Moderators group, who may only view articles in the admin."""
    moderator = make_user("groupmoderator", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    article = make_article()
    response = admin_action(moderator, "close_comments", article)
    article.refresh_from_db()
    assert not article.comments_open
    assert article.comments_closed_at is not None
    assert "Closed comments on 1 article." in response.content.decode()
    entry = LogEntry.objects.get(object_id=str(article.pk))
    assert (entry.user, entry.change_message) == (moderator, "Closed comments (admin).")


def test_admin_action_reopens_comments(editor):
    article = make_article()
    article.close_comments()
    admin_action(editor, "reopen_comments", article)
    article.refresh_from_db()
    assert article.comments_open
    assert article.comments_closed_at is None
    assert article.accepting_comments


def test_reopening_an_article_the_clock_closed_keeps_it_open(editor, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 2
    article = make_article(published_at=ago(days=5))
    assert not article.accepting_comments
    admin_action(editor, "reopen_comments", article)
    article.refresh_from_db()
    assert article.comments_close_after_days == 0
    assert article.accepting_comments


def test_unticking_comments_open_in_the_form_records_when(editor):
    article = make_article()
    data = {
        "section": article.section_id,
        "title": article.title,
        "slug": article.slug,
        "body": article.body,
        "status": "published",
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "ratings_enabled": "on",
        "comment_moderation": "",
        "language": "en",
    }
    url = f"/admin/articles/article/{article.pk}/change/"
    assert signed_in(editor).post(url, data).status_code == 302
    article.refresh_from_db()
    assert not article.comments_open
    assert article.comments_closed_at is not None
    signed_in(editor).post(url, {**data, "comments_open": "on"})
    article.refresh_from_db()
    assert article.comments_open and article.comments_closed_at is None


# --- Closing by hand: the article page --------------------------------------------------------
def test_moderator_sees_the_close_form_and_readers_do_not(client, moderator, reader):
    article = make_article()
    assert "data-comments-state" in page(signed_in(moderator), article)
    assert "data-comments-state" not in page(signed_in(reader), article)
    assert "data-comments-state" not in page(client, article)


def test_moderator_closes_from_the_page(moderator):
    article = make_article()
    client = signed_in(moderator)
    response = client.post(state_url(article), {"action": "close"})
    assert response.status_code == 303
    assert response["Location"] == f"{article.get_absolute_url()}#comments"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Comments are now closed."]
    article.refresh_from_db()
    assert not article.comments_open
    html = page(client, article)
    assert "Comments were closed by the newsroom on" in html
    assert 'name="action" value="reopen"' in html
    assert LogEntry.objects.get().change_message == "Closed comments (article page)."


def test_moderator_reopens_from_the_page(moderator):
    article = make_article()
    article.close_comments()
    signed_in(moderator).post(state_url(article), {"action": "reopen"})
    article.refresh_from_db()
    assert article.comments_open and article.comments_closed_at is None


@pytest.fixture
def article():
    return make_article()


@pytest.fixture(params=REFUSED)
def refused(request, desk_editor, article):
    return refused_users(request, desk_editor, article)


def test_page_form_is_403_for_everyone_but_moderators(refused, article):
    client = signed_in(refused) if refused else Client()
    response = client.post(state_url(article), {"action": "close"})
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.comments_open


def test_page_form_needs_the_csrf_token(moderator, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    assert client.post(state_url(article), {"action": "close"}).status_code == 403
    article.refresh_from_db()
    assert article.comments_open


def test_page_form_is_post_only(moderator, article):
    assert signed_in(moderator).get(state_url(article)).status_code == 405


def test_page_form_with_a_bad_action_changes_nothing(moderator, article):
    response = signed_in(moderator).post(state_url(article), {"action": "explode"})
    assert response.status_code == 303
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Choose to close or reopen comments."
    ]
    article.refresh_from_db()
    assert article.comments_open


def test_page_form_for_an_unknown_article_is_404(moderator):
    response = signed_in(moderator).post("/articles/nope/comments/state/", {"action": "close"})
    assert response.status_code == 404


# --- Closing by hand: the API ------------------------------------------------------------------
def test_api_closes_and_reopens(api_client, moderator, article):
    api_client.force_authenticate(moderator)
    closed = api_client.post(api_url(article), {"open": False}, format="json")
    assert closed.status_code == 200
    article.refresh_from_db()
    assert closed.json() == {
        "comments_open": False,
        "comments_close_at": article.comments_closed_at.isoformat().replace("+00:00", "Z"),
        "comments_accepting": False,
    }
    reopened = api_client.post(api_url(article), {"open": True}, format="json")
    assert reopened.json() == {
        "comments_open": True,
        "comments_close_at": None,
        "comments_accepting": True,
    }
    assert LogEntry.objects.filter(change_message__endswith="(API).").count() == 2


def test_api_is_403_for_everyone_but_moderators(api_client, refused, article):
    if refused:
        api_client.force_login(refused)
    response = api_client.post(api_url(article), {"open": False}, format="json")
    assert response.status_code == 403
    # A guest is told to sign in ("Authentication credentials were not provided.").
    if refused:
        assert response.json() == {"detail": "Only moderators can close or reopen comments."}
    article.refresh_from_db()
    assert article.comments_open


@pytest.mark.parametrize("body", [{}, {"open": "maybe"}, {"open": None}, {"open": [True]}])
def test_api_bad_body_is_400(api_client, moderator, article, body):
    api_client.force_authenticate(moderator)
    response = api_client.post(api_url(article), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["open"]


def test_api_unknown_article_is_404(api_client, moderator):
    api_client.force_authenticate(moderator)
    response = api_client.post("/api/v1/moderation/articles/nope/comments-state/", {"open": False})
    assert response.status_code == 404


def test_every_switch_moves_the_articles_version(api_client, moderator, article, committed):
    api_client.force_authenticate(moderator)
    before = article.engagement_version
    with committed():
        api_client.post(api_url(article), {"open": False}, format="json")
    article.refresh_from_db()
    assert article.engagement_version == before + 1


# --- The article API ---------------------------------------------------------------------------
def test_article_api_gives_the_close_time_and_whether_comments_are_taken(api_client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 2
    article = make_article(published_at=ago(days=3))
    detail = api_client.get(f"/api/v1/articles/{article.slug}/").json()
    close_at = article.published_at + timedelta(days=2)
    assert detail["comments_close_at"] == close_at.isoformat().replace("+00:00", "Z")
    # The switch is still on: closed by the clock.
    assert (detail["comments_open"], detail["comments_accepting"]) == (True, False)


def test_article_list_says_never_for_articles_that_never_close(api_client):
    make_article()
    (item,) = api_client.get("/api/v1/articles/").json()["results"]
    assert (item["comments_close_at"], item["comments_accepting"]) == (None, True)


# --- Page caches across the close time ------------------------------------------------------
@pytest.fixture
def caches_on(settings):
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 300
    settings.COMMENTS_THREADS_CACHE_TIMEOUT = 300


def test_shared_page_is_not_served_with_a_form_after_the_close_time(caches_on, closing_soon, clock):
    reader = Client()
    assert reader.get(closing_soon.get_absolute_url())["X-Page-Cache"] == "miss"
    cached = reader.get(closing_soon.get_absolute_url())
    assert cached["X-Page-Cache"] == "hit"
    assert FORM in cached.content.decode()
    clock.forward(minutes=2)
    after = Client().get(closing_soon.get_absolute_url())
    assert after["X-Page-Cache"] == "miss"
    assert FORM not in after.content.decode()
    assert "Comments closed on" in after.content.decode()
    assert Client().get(closing_soon.get_absolute_url())["X-Page-Cache"] == "hit"


def test_shared_threads_lose_their_reply_links_at_the_close_time(caches_on, closing_soon, clock):
    make_comment(closing_soon)
    reader = signed_in(make_user("regular"))  # not the shared page: the shared threads
    assert REPLY.search(page(reader, closing_soon))
    assert REPLY.search(page(reader, closing_soon))  # from the threads' cache
    clock.forward(minutes=2)
    html = page(reader, closing_soon)
    assert not REPLY.search(html)
    assert FORM not in html


def test_closing_from_the_page_shows_on_the_shared_page(caches_on, moderator, committed):
    article = make_article()
    reader = Client()
    page(reader, article)
    assert FORM in page(reader, article)
    with committed():
        signed_in(moderator).post(state_url(article), {"action": "close"})
    html = page(reader, article)
    assert FORM not in html
    assert "Comments were closed by the newsroom on" in html


# --- Demo content -----------------------------------------------------------------------
def test_demo_article_closed_by_the_newsroom_says_when(client):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    article = Article.objects.get(comments_open=False)
    assert article.comments_closed_at == article.published_at + timedelta(days=1)
    assert "Comments were closed by the newsroom on" in page(client, article)


def test_demo_loads_with_a_short_close_setting(settings):
    """Articles loaded days ago, threads loaded now: the closed ones are left out."""
    from io import StringIO

    from django.core.management import call_command

    from articles.management.commands.load_demo import load_content

    load_content(ago(days=3))
    settings.COMMENTS_CLOSE_AFTER_DAYS = 1
    call_command("load_demo", stdout=StringIO())
    threads = Comment.objects.values_list("article", flat=True).distinct()
    assert all(Article.objects.get(pk=pk).accepting_comments for pk in threads)


# --- Two moderators at once (PostgreSQL) ------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)"
)
def test_moderators_closing_at_once_close_it_once():
    article = make_article()
    moderators = [make_user(f"racer{i}", is_staff=True, is_superuser=True) for i in range(6)]
    race(
        6,
        lambda i: article_comments_switch(
            article=Article.objects.get(pk=article.pk), open=False, by=moderators[i], via="API"
        ),
    )
    article.refresh_from_db()
    assert not article.comments_open
    assert LogEntry.objects.filter(object_id=str(article.pk)).count() == 1
