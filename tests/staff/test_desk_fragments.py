"""The desk's cards come from a cache (staff/cards.py): a change to anything a card
shows is on the next render, what differs per request is fresh on every serve, a
cache hit costs no query, and a cached card never reaches anyone but a moderator."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article, Section
from articles.times import time_ago
from comments import decisions, services
from comments.models import (
    Attachment,
    Comment,
    CommentFlag,
    CommentRevision,
    ModerationLog,
)
from comments.moderation import author_trust_set
from ratings.models import Vote
from staff import cards as desk_cards
from tests.factories import make_article, make_comment, make_user

DESK = "/moderate/"
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def pending(article=None, **fields):
    reasons = fields.pop("reasons", ["first_time_guest"])
    comment = make_comment(article, status=Comment.Status.PENDING, **fields)
    Comment.objects.filter(pk=comment.pk).update(moderation_reasons=reasons)
    comment.refresh_from_db()
    return comment


def card(response, comment) -> str:
    """The HTML of one comment's card on a desk page."""
    match = re.search(rf'<article id="card-{comment.pk}".*?</article>', response.text, re.S)
    assert match, f"no card for comment {comment.pk}"
    return match.group(0)


def without_tokens(html: str) -> str:
    # A CSRF token is masked anew for every request: equal pages differ there alone.
    return CSRF_VALUE.sub(r"\1…\2", html)


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def drawn(monkeypatch):
    """The comments whose card was drawn (not taken from the cache), in order."""
    calls = []
    real = desk_cards._draw

    def counting(comment):
        calls.append(comment.pk)
        return real(comment)

    monkeypatch.setattr(desk_cards, "_draw", counting)
    return calls


def loaded(comment):
    """The comment as the desk's queue loads it."""
    from comments import queues

    queue = queues.moderation_queue(queue="pending", lists=True).prefetch_related(None)
    row = queue.get(pk=comment.pk)
    queues.attach_card_lists([row])
    return row


def add_attachment(comment, slot=1) -> Attachment:
    return Attachment.objects.create(
        comment=comment,
        slot=slot,
        kind="image",
        file=f"attachments/{comment.pk}-{slot}.png",
        thumbnail=f"attachments/thumbs/{comment.pk}-{slot}.png",
        name="evidence.png",
        content_type="image/png",
        size=10,
        width=40,
        height=30,
    )


# --- From the cache --------------------------------------------------------------------------
def test_a_second_render_draws_no_card(mod_client, drawn):
    comment = pending()
    first = mod_client.get(DESK)
    second = mod_client.get(DESK)
    assert drawn == [comment.pk]
    assert without_tokens(card(second, comment)) == without_tokens(card(first, comment))


def test_a_cached_card_is_what_a_fresh_render_shows(mod_client, moderator):
    article = make_article(title="Harbour bridge reopens")
    author = make_user("writer", display_name="Wren Writer")
    parent = make_comment(article, body="The *parent* words")
    comment = pending(
        article,
        user=author,
        parent=parent,
        body="See **this**",
        location={"name": "Lisbon", "latitude": 38.72, "longitude": -9.14},
        reasons=["blocked_word:casino"],
    )
    add_attachment(comment)
    CommentFlag.objects.create(comment=comment, voter="g:1", reason="abuse", note="Rude")
    CommentRevision.objects.create(comment=comment, old_body="Old words", new_body="New")
    ModerationLog.objects.create(comment=comment, action="held", to_status="pending")
    fresh = mod_client.get(DESK, {"queue": "held", "q": "this"})
    served = mod_client.get(DESK, {"queue": "held", "q": "this"})
    assert "Wren Writer" in fresh.text and "Rude" in fresh.text
    assert without_tokens(card(served, comment)) == without_tokens(card(fresh, comment))


def test_a_cache_hit_costs_no_query(mod_client, django_assert_num_queries):
    article = make_article()
    for _ in range(3):
        comment = pending(article)
        add_attachment(comment)
        CommentFlag.objects.create(comment=comment, voter=f"g:{comment.pk}", reason="spam")
    mod_client.get(DESK)  # the content types
    cache.clear()
    # Drawn: the session (from the database: the cache was emptied), user, their
    # permissions (own, groups'), the tab counts, the page's ids, the digests of their
    # rows and of their lists (the cards' keys), the comments to draw and their
    # attachments, flags, revisions and audit log, the sections.
    with django_assert_num_queries(13):
        mod_client.get(DESK)
    # From the cache: no comment loaded, and the session cached too.
    with django_assert_num_queries(7):
        mod_client.get(DESK)


def test_the_desk_works_while_the_cache_is_down(mod_client, monkeypatch):
    comment = pending(body="Still judged")

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(desk_cards.cache, "get_many", down)
    monkeypatch.setattr(desk_cards.cache, "set_many", down)
    response = mod_client.get(DESK)
    assert response.status_code == 200
    assert "Still judged" in card(response, comment)


# --- Never stale -----------------------------------------------------------------------------
def test_a_decision_shows_on_the_next_render(mod_client, moderator):
    comment = make_comment(body="Worth featuring")
    assert "Newsroom pick" not in card(mod_client.get(DESK, {"queue": "approved"}), comment)
    decisions.comment_decide(comment=comment, action="feature", by=moderator, screen="api")
    shown = card(mod_client.get(DESK, {"queue": "approved"}), comment)
    assert "Newsroom pick" in shown
    assert ">Unfeature</button>" in shown
    assert "Featured by moderator" in shown


def test_a_rejection_shows_in_the_rejected_queue(mod_client, moderator):
    comment = pending()
    mod_client.get(DESK, {"queue": "rejected"})
    decisions.comment_decide(comment=comment, action="reject", by=moderator, screen="api")
    response = mod_client.get(DESK, {"queue": "rejected"})
    assert "desk-badge--rejected" in card(response, comment)


def test_an_edit_shows_on_the_next_render(mod_client, moderator, drawn):
    comment = pending(body="First words")
    mod_client.get(DESK)
    services.comment_edit(comment=comment, body="Rewritten words", by=moderator, screen="desk")
    shown = card(mod_client.get(DESK), comment)
    assert "Rewritten words" in shown
    assert "Edited by a moderator" in shown
    assert drawn == [comment.pk, comment.pk]


def test_a_flag_and_its_note_show_on_the_next_render(mod_client):
    comment = pending()
    mod_client.get(DESK)
    # Straight into the table: the comment's version does not move.
    CommentFlag.objects.create(comment=comment, voter="g:9", reason="abuse", note="Rude to me")
    assert "Rude to me" in card(mod_client.get(DESK), comment)


def test_a_cleared_flag_shows_as_cleared(mod_client):
    comment = pending()
    flag = CommentFlag.objects.create(comment=comment, voter="g:9", reason="spam")
    assert "(cleared)" not in card(mod_client.get(DESK), comment)
    CommentFlag.objects.filter(pk=flag.pk).update(cleared_at=timezone.now())
    assert "(cleared)" in card(mod_client.get(DESK), comment)


def test_a_removed_attachment_leaves_the_card(mod_client):
    comment = pending()
    kept, removed = add_attachment(comment, 1), add_attachment(comment, 2)
    assert removed.get_absolute_url() in card(mod_client.get(DESK), comment)
    Attachment.objects.filter(pk=removed.pk).delete()
    shown = card(mod_client.get(DESK), comment)
    assert removed.get_absolute_url() not in shown
    assert kept.get_absolute_url() in shown


def test_banning_the_author_shows_on_the_card(mod_client):
    comment = pending(guest_email="troll@example.com")
    assert "Banned by" not in card(mod_client.get(DESK), comment)
    mod_client.post(f"{DESK}{comment.pk}/ban/", {"kind": "email", "duration": "7", "next": DESK})
    assert "Banned by moderator" in card(mod_client.get(DESK), comment)


def test_trusting_the_author_shows_on_the_card(mod_client, moderator):
    comment = pending(guest_email="kind@example.com")
    mod_client.get(DESK)
    author_trust_set(comment=comment, level="trusted", by=moderator)
    assert "Author&#x27;s trust changed by moderator" in card(mod_client.get(DESK), comment)


def test_a_renamed_account_shows_its_new_name(mod_client):
    author = make_user("renamer", display_name="Old Name")
    comment = pending(user=author)
    assert "Old Name" in card(mod_client.get(DESK), comment)
    type(author).objects.filter(pk=author.pk).update(display_name="New Name")
    shown = card(mod_client.get(DESK), comment)
    assert "New Name" in shown and "Old Name" not in shown


def test_a_new_headline_shows(mod_client):
    article = make_article(title="First headline")
    comment = pending(article)
    mod_client.get(DESK)
    Article.objects.filter(pk=article.pk).update(title="Corrected headline")
    assert "Corrected headline" in card(mod_client.get(DESK), comment)


def test_an_edited_parent_shows(mod_client, moderator):
    parent = make_comment(body="What the parent said")
    comment = pending(parent.article, parent=parent)
    mod_client.get(DESK)
    services.comment_edit(comment=parent, body="What the parent says now", by=moderator)
    assert "What the parent says now" in card(mod_client.get(DESK), comment)


# --- Fresh on every serve ----------------------------------------------------------------------
def test_relative_times_are_worded_when_served(mod_client, monkeypatch, drawn):
    comment = pending()
    assert ">just now</time>" in card(mod_client.get(DESK), comment)
    later = timezone.now() + timedelta(hours=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert ">3 hours ago</time>" in card(mod_client.get(DESK), comment)
    assert drawn == [comment.pk]


def test_a_week_old_time_is_written_as_its_date_for_good():
    old = timezone.now() - timedelta(days=8)
    assert desk_cards.ago_hole(old) == time_ago(old)
    assert time_ago(old) == time_ago(old, timezone.now() + timedelta(days=400))


def test_a_marker_that_is_not_a_time_is_left_empty():
    now = timezone.now()
    names = [b"ago-x", b"ago-99999999999999999999999", b"next", b"ago-0"]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert desk_cards.ago_values(names, now) == {"ago-0": time_ago(epoch, now)}


def test_the_forms_return_to_the_queue_shown(mod_client, drawn):
    comment = pending(reasons=["too_fast"])
    mod_client.get(DESK)
    shown = card(mod_client.get(DESK, {"queue": "held", "reason": "too_fast"}), comment)
    here = "/moderate/?queue=held&amp;reason=too_fast"
    assert shown.count(f'name="next" value="{here}"') == 2  # decide and ban
    assert "?next=/moderate/%3Fqueue%3Dheld%26reason%3Dtoo_fast" in shown
    assert f'href="?queue=held&amp;article={comment.article.slug}"' in shown
    assert drawn == [comment.pk]


def test_each_moderator_gets_a_csrf_token_that_works(moderator, drawn):
    comment = pending()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(moderator)
    first.get(DESK)
    other = make_user("othermod", is_staff=True)
    other.user_permissions.set(moderator.user_permissions.all())
    second.force_login(other)
    shown = card(second.get(DESK), comment)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', shown).group(1)
    response = second.post(
        reverse("staff:decide", args=[comment.pk]),
        {"csrfmiddlewaretoken": token, "action": "approve", "next": DESK},
    )
    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert drawn == [comment.pk]


# --- Moderators only ---------------------------------------------------------------------------
def test_cached_cards_never_reach_a_reader(client, moderator, reader):
    comment = pending(guest_email="secret-author@example.com", ip_address="203.0.113.77")
    client.force_login(moderator)
    assert "secret-author@example.com" in card(client.get(DESK), comment)
    client.force_login(reader)
    for query in ({}, {"fragment": "cards"}):
        response = client.get(DESK, query)
        assert response.status_code == 403
        assert "secret-author@example.com" not in response.text
        assert "203.0.113.77" not in response.text
    client.logout()
    assert client.get(DESK, {"fragment": "cards"}).status_code == 302


def test_the_article_page_never_shows_what_a_card_holds(client, moderator, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    comment = make_comment(guest_email="flagged-author@example.com", ip_address="203.0.113.78")
    Comment.objects.filter(pk=comment.pk).update(flag_count=1)
    client.force_login(moderator)
    assert "flagged-author@example.com" in card(client.get(DESK, {"queue": "flagged"}), comment)
    client.logout()
    page = client.get(comment.article.get_absolute_url())
    assert f'id="c{comment.pk}"' in page.text
    assert "flagged-author@example.com" not in page.text
    assert "203.0.113.78" not in page.text
    # Whatever holds the address is a desk card, under the desk's own keys.
    from django.core.cache import caches

    entries = caches["default"]._cache
    holding = [key for key, value in entries.items() if b"flagged-author@example.com" in value]
    assert holding
    assert all(f":{desk_cards.KEY_PREFIX}:" in key for key in holding)


def test_a_key_is_made_of_values_alone(mod_client):
    """Keys are digests of the rows, as the database gives them: every worker finds the
    cards any other drew (in a shared cache), and the same rows give the same key."""
    author = make_user("keyed", display_name="Kay")
    parent = make_comment()
    comment = pending(parent.article, user=author, parent=parent)
    add_attachment(comment)
    CommentFlag.objects.create(comment=comment, voter="g:1", reason="spam")
    ModerationLog.objects.create(comment=comment, action="held", actor=author)
    first = desk_cards.card_keys([comment.pk, parent.pk])
    assert first == desk_cards.card_keys([parent.pk, comment.pk])
    assert first[comment.pk] != first[parent.pk]


def test_keys_differ_by_language(mod_client):
    comment = pending()
    english = desk_cards.card_keys([comment.pk])
    with translation.override("es"):
        assert desk_cards.card_keys([comment.pk]) != english


@pytest.mark.parametrize(
    "change",
    [
        lambda c: Comment.objects.filter(pk=c.pk).update(like_count=7),
        lambda c: Comment.objects.filter(pk=c.pk).update(guest_name="Someone Else"),
        lambda c: Article.objects.filter(pk=c.article_id).update(title="A new headline"),
        lambda c: Section.objects.filter(pk=c.article.section_id).update(name="Elsewhere"),
        lambda c: CommentFlag.objects.filter(comment=c).update(cleared_at=timezone.now()),
        lambda c: CommentFlag.objects.filter(comment=c).update(note="Another note"),
        lambda c: Attachment.objects.filter(comment=c).update(name="renamed.png"),
        lambda c: Attachment.objects.filter(comment=c).delete(),
        lambda c: CommentRevision.objects.create(comment=c, old_body="a", new_body="b"),
        lambda c: ModerationLog.objects.create(comment=c, action="held"),
        lambda c: Comment.objects.filter(pk=c.parent_id).update(body_html="<p>Changed</p>"),
        lambda c: Vote.objects.create(article=c.article, voter=c.rating_voter, stars=2),
    ],
)
def test_every_change_a_card_shows_is_a_new_key(mod_client, change):
    parent = make_comment()
    comment = pending(parent.article, parent=parent)
    Comment.objects.filter(pk=comment.pk).update(rating_voter="g:star")
    comment.refresh_from_db()
    add_attachment(comment)
    CommentFlag.objects.create(comment=comment, voter="g:1", reason="spam", note="Rude")
    before = desk_cards.card_keys([comment.pk])
    change(comment)
    assert desk_cards.card_keys([comment.pk]) != before


def test_an_unrelated_change_keeps_the_key(mod_client):
    """A new comment on the same article moves the article's counters, not its cards."""
    comment = pending()
    before = desk_cards.card_keys([comment.pk])
    Article.objects.filter(pk=comment.article_id).update(comment_count=99)
    assert desk_cards.card_keys([comment.pk]) == before
