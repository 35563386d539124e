"""Plain signed-in readers share one cached copy of the article page (issue 19), with
their own name, likes, stars and follow filled into its holes on every serve; nobody
is ever shown another reader's state, and anyone who could see more than the copy
leaves holes for (staff, moderators, an author who can still edit) gets their own."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from articles import cache as page_cache
from comments.models import CommentLike, ThreadSubscription
from ratings.services import rating_set
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db

PRESSED = r'/comments/{pk}/like/.*?aria-pressed="{state}"'
# Values made anew for every serve of a page (the shared copy's per-request holes).
# And the clock: the masthead's, and the time on the skeleton comments.js posts with.
PER_REQUEST = re.compile(
    r'((?:name="(?:csrfmiddlewaretoken|form_token|idempotency_key)" value=|'
    r'masthead__date"><time datetime=|href="#c0"><time datetime=)")[^"]*'
)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 300
    settings.COMMENTS_THREADS_CACHE_TIMEOUT = 300
    settings.COMMENTS_MODERATION = "none"


@pytest.fixture
def article(committed):
    article = make_article(title="Harbour reopens")
    with committed():
        article.first, article.second = make_comment(article), make_comment(article)
    return article


def signed_in(username: str, **fields):
    user = make_user(username, display_name=username.title(), **fields)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response


def fan_of(client, article):
    """Reader who liked the first comment, voted 4 stars and follows the thread."""
    voter = f"u:{client.user.pk}"
    CommentLike.objects.create(comment=article.first, voter=voter)
    rating_set(article=article, voter=voter, stars=4, user=client.user, enforce_limits=False)
    ThreadSubscription.objects.create(user=client.user, article=article)
    return client


def test_second_signed_in_reader_is_served_the_copy_the_first_filled(article):
    assert page(signed_in("ana"), article)["X-Page-Cache"] == "miss"
    assert page(signed_in("bea"), article)["X-Page-Cache"] == "hit"


def test_copy_shows_each_reader_their_own_name_and_nobody_elses(article):
    page(signed_in("ana"), article)
    text = page(signed_in("bea"), article).content.decode()
    assert 'class="masthead__user">Bea</a>' in text
    assert "Posting as <strong>Bea</strong>" in text
    assert "Ana" not in text


def test_copy_shows_each_reader_their_own_likes_stars_and_follow(article, committed):
    with committed():
        ana = fan_of(signed_in("ana"), article)
    page(signed_in("bea"), article)  # fills the copy with Bea's (empty) state
    text = page(ana, article).content.decode()
    assert page(ana, article)["X-Page-Cache"] == "hit"
    assert re.search(PRESSED.format(pk=article.first.pk, state="true"), text, re.S)
    assert re.search(PRESSED.format(pk=article.second.pk, state="false"), text, re.S)
    assert re.search(r'id="comment-rating-4"[^>]* checked>', text)
    assert "Your rating: 4 of 5." in text
    assert 'aria-pressed="true">Following this conversation</button>' in text


def test_reader_with_nothing_of_their_own_after_a_fan_filled_the_copy(article, committed):
    with committed():
        ana = fan_of(signed_in("ana"), article)
    assert page(ana, article)["X-Page-Cache"] == "miss"
    text = page(signed_in("bea"), article).content.decode()
    assert re.search(PRESSED.format(pk=article.first.pk, state="false"), text, re.S)
    assert "Your rating:" not in text
    assert re.search(r'id="comment-rating-none"[^>]* checked>', text)
    assert not re.search(r'id="comment-rating-\d"[^>]* checked>', text)
    assert 'aria-pressed="false">Follow this conversation</button>' in text


def test_page_from_the_copy_is_the_page_a_fresh_render_draws(article, committed, settings):
    with committed():
        ana = fan_of(signed_in("ana"), article)
    page(signed_in("bea"), article)
    served = page(ana, article)
    assert served["X-Page-Cache"] == "hit"
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 0
    fresh = page(ana, article)
    assert "X-Page-Cache" not in fresh
    same = PER_REQUEST.sub(r"\1", served.content.decode()).splitlines()
    assert same == PER_REQUEST.sub(r"\1", fresh.content.decode()).splitlines()


def test_cached_copy_holds_no_name_and_no_state_of_the_reader_who_filled_it(article, committed):
    with committed():
        ana = fan_of(signed_in("ana"), article)
    page(ana, article)
    article.refresh_from_db()
    key = page_cache.page_key(_request_for(article), article, reader=page_cache.MEMBER)
    stored = b"".join(cache.get(key)).decode()
    assert "Ana" not in stored and "Your rating" not in stored
    assert 'aria-pressed="true"' not in stored


def _request_for(article):
    from django.test import RequestFactory

    return RequestFactory().get(article.get_absolute_url(), HTTP_HOST="testserver")


def test_anonymous_readers_never_get_the_signed_in_copy(article):
    page(signed_in("ana"), article)
    anonymous = page(Client(), article)
    assert anonymous["X-Page-Cache"] == "miss"
    assert "Log out" not in anonymous.content.decode()


@pytest.mark.parametrize("who", ["staff", "moderators_group"])
def test_staff_and_moderators_get_their_own_page(article, who):
    page(signed_in("ana"), article)
    fields = {"is_staff": True} if who == "staff" else {}
    client = signed_in("mo", **fields)
    if who == "moderators_group":
        client.user.groups.add(Group.objects.get(name="Moderators"))
    response = page(client, article)
    assert "X-Page-Cache" not in response
    shown = "Newsroom</a>" if who == "staff" else "Close comments"
    assert shown in response.content.decode()


def test_author_who_can_still_edit_gets_their_own_page_with_edit_links(article, committed):
    ana = signed_in("ana")
    with committed():
        own = make_comment(article, user=ana.user)
    page(signed_in("bea"), article)
    response = page(ana, article)
    assert "X-Page-Cache" not in response
    assert f"/comments/{own.pk}/edit/" in response.content.decode()


def test_reader_with_a_flash_message_gets_their_own_page(article):
    ana = signed_in("ana")
    page(signed_in("bea"), article)
    ana.post(f"/articles/{article.slug}/comments/follow/", {"action": "follow"})
    response = page(ana, article)
    assert "X-Page-Cache" not in response


def test_a_first_hit_costs_six_queries_and_the_next_two(article, django_assert_num_queries):
    page(signed_in("bea"), article)
    ana = signed_in("ana")
    # user (the session is in the cache), article, whether they may moderate, an
    # editable or held comment of theirs with their follow, their likes on the page,
    # their vote.
    with django_assert_num_queries(6):
        assert page(ana, article)["X-Page-Cache"] == "hit"
    # Their standing is kept for this version of the article: the user, the article.
    with django_assert_num_queries(2):
        assert page(ana, article)["X-Page-Cache"] == "hit"


def test_following_from_the_page_shows_at_once(article):
    ana = signed_in("ana")
    page(ana, article)
    page(ana, article)  # their standing is kept now
    ana.post(f"/articles/{article.slug}/comments/follow/", {"action": "follow"})
    ana.get(article.get_absolute_url())  # shows (and uses up) the confirmation
    assert 'aria-pressed="true">Following this conversation' in page(ana, article).content.decode()
    ana.post(f"/articles/{article.slug}/comments/follow/", {"action": "unfollow"})
    ana.get(article.get_absolute_url())  # shows (and uses up) the confirmation
    assert 'aria-pressed="false">Follow this conversation' in page(ana, article).content.decode()


def test_a_like_and_a_vote_show_at_once(article, committed):
    ana = signed_in("ana")
    page(ana, article)
    page(ana, article)  # their standing is kept now
    with committed():
        fan_of(ana, article)
    text = page(ana, article).content.decode()
    assert re.search(PRESSED.format(pk=article.first.pk, state="true"), text, re.S)
    assert "Your rating: 4 of 5." in text


def test_a_reader_made_moderator_never_sees_more_than_they_may(article):
    ana = signed_in("ana")
    page(ana, article)
    ana.user.groups.add(Group.objects.get(name="Moderators"))
    # Their kept standing may say "reader" for a minute: the shared page, nothing more.
    assert "Close comments" not in page(ana, article).content.decode()
    cache.clear()
    assert "Close comments" in page(ana, article).content.decode()
