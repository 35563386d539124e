"""Each process keeps the bans and blocked words under the shared cache's generation
token (``comments.rules_cache``): a post reads neither table while they are unchanged,
and every change reaches the next post."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments import moderation, posting, rules_cache
from comments.models import Ban, BlockedWord, Comment
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shared(monkeypatch):
    """The tests' local-memory cache stands in for Redis: one process reads it."""
    monkeypatch.setattr(rules_cache, "shared_cache", lambda: True)
    rules_cache._kept.clear()
    yield
    rules_cache._kept.clear()


@pytest.fixture
def article(settings):
    settings.COMMENTS_MODERATION = "none"
    return make_article()


def post(article, email="reader@example.com", body="Fair point.", ip="203.0.113.7"):
    return posting.comment_create(
        article=article, body=body, guest_name="Reader", guest_email=email, ip_address=ip
    ).comment


def tables_read(captured) -> set[str]:
    return {t for t in ("comments_ban", "comments_blockedword") for q in captured if t in q["sql"]}


def test_a_second_post_reads_neither_table(article):
    post(article)
    with CaptureQueriesContext(connection) as captured:
        post(article, body="And another.")
    assert tables_read(captured) == set()


def test_without_a_shared_cache_every_post_reads_them(article, monkeypatch):
    monkeypatch.setattr(rules_cache, "shared_cache", lambda: False)
    post(article)
    with CaptureQueriesContext(connection) as captured:
        post(article, body="And another.")
    assert tables_read(captured) == {"comments_ban", "comments_blockedword"}


def test_a_new_ban_stops_the_next_post(article):
    post(article, email="troll@example.com")
    Ban.objects.create(kind=Ban.Kind.EMAIL, email="troll@example.com")
    with pytest.raises(moderation.Banned):
        post(article, email="troll@example.com")


def test_a_new_network_ban_stops_the_next_post(article):
    post(article)
    Ban.objects.create(kind=Ban.Kind.NETWORK, network="203.0.113.0/24")
    with pytest.raises(moderation.Banned):
        post(article)
    post(article, ip="198.51.100.7")  # another network still posts


def test_a_user_ban_holds_by_account(article):
    user = make_user("writer")
    posting.comment_create(article=article, body="First.", user=user)
    Ban.objects.create(kind=Ban.Kind.USER, user=user, email="elsewhere@example.com")
    with pytest.raises(moderation.Banned):
        posting.comment_create(article=article, body="Second.", user=user)


def test_a_ban_lifted_in_the_admin_lets_them_post_again(article, admin_client):
    ban = Ban.objects.create(kind=Ban.Kind.EMAIL, email="sorry@example.com")
    with pytest.raises(moderation.Banned):
        post(article, email="sorry@example.com")
    response = admin_client.post(
        "/admin/comments/ban/", {"action": "lift", "_selected_action": [ban.pk]}
    )
    assert response.status_code == 302
    assert post(article, email="sorry@example.com").pk


def test_a_ban_that_expired_since_it_was_read_no_longer_holds(article, monkeypatch):
    soon = timezone.now() + timezone.timedelta(minutes=5)
    Ban.objects.create(kind=Ban.Kind.EMAIL, email="brief@example.com", expires_at=soon)
    with pytest.raises(moderation.Banned):
        post(article, email="brief@example.com")
    later = soon + timezone.timedelta(seconds=1)
    monkeypatch.setattr(moderation.timezone, "now", lambda: later)
    assert post(article, email="brief@example.com").pk


def test_a_new_blocked_word_holds_the_next_comment(article):
    post(article, body="Nothing wrong here.")
    BlockedWord.objects.create(phrase="scoundrels")
    comment = post(article, body="You scoundrels.")
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reasons == ["blocked_word:scoundrels"]


def test_a_change_made_without_signals_is_seen_within_the_maximum_age(article, monkeypatch):
    post(article)
    Ban.objects.bulk_create([Ban(kind=Ban.Kind.EMAIL, email="quiet@example.com")])
    assert post(article, email="quiet@example.com").pk  # the kept copy does not know yet
    later = rules_cache.monotonic() + rules_cache.MAX_AGE + 1
    monkeypatch.setattr(rules_cache, "monotonic", lambda: later)
    with pytest.raises(moderation.Banned):
        post(article, email="quiet@example.com")


def test_a_site_with_more_bans_than_are_kept_reads_the_matching_ones(article, monkeypatch):
    monkeypatch.setattr(rules_cache, "MAX_BANS", 1)
    Ban.objects.create(kind=Ban.Kind.EMAIL, email="one@example.com")
    Ban.objects.create(kind=Ban.Kind.EMAIL, email="two@example.com")
    with CaptureQueriesContext(connection) as captured:
        with pytest.raises(moderation.Banned):
            post(article, email="one@example.com")
    assert sum("comments_ban" in q["sql"] for q in captured) == 2  # the kept read, the match


def test_a_post_asks_the_cache_for_the_generation_once(article, monkeypatch):
    asked = []
    real = rules_cache._generation
    monkeypatch.setattr(rules_cache, "_generation", lambda: asked.append(1) or real())
    post(article, body="Checked for bans and for words alike.")
    assert len(asked) == 1


def test_the_generation_comes_with_the_rate_limits_count(article, monkeypatch):
    """Once it exists, the rate limit's round trip reads it: no read of its own."""
    post(article)
    asked = []
    real = rules_cache._generation
    monkeypatch.setattr(rules_cache, "_generation", lambda: asked.append(1) or real())
    post(article, body="Counted and checked in one go.")
    assert asked == []


def test_a_post_not_rate_limited_reads_the_generation_itself(article, monkeypatch):
    asked = []
    real = rules_cache._generation
    monkeypatch.setattr(rules_cache, "_generation", lambda: asked.append(1) or real())
    posting.comment_create(
        article=article,
        body="Imported.",
        guest_name="Old",
        guest_email="old@example.com",
        enforce_limits=False,
    )
    assert asked == [1]
