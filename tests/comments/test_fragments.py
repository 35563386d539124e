"""Each comment's rendered fragment (comments.fragments): kept under a digest of what it
shows, so any change shows at once; per-reader state (likes, Edit/Delete, CSRF) never
crosses from one reader to another; a hit costs no query."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from comments import decisions, fragments, services
from comments.models import Attachment, Comment
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_the_fragments(settings):
    # Neither the page cache nor the shared copy of the threads: every reader's page is
    # assembled from the fragments.
    settings.ARTICLES_PAGE_CACHE_TIMEOUT = 0
    settings.COMMENTS_THREADS_CACHE_TIMEOUT = 0
    settings.COMMENTS_MODERATION = "none"


@pytest.fixture
def draws(monkeypatch):
    """How many fragments were drawn (not found in the cache)."""
    drawn = []
    real = fragments._draw

    def counting(comment, **kwargs):
        drawn.append(comment.pk)
        return real(comment, **kwargs)

    monkeypatch.setattr(fragments, "_draw", counting)
    return drawn


@pytest.fixture
def article(committed):
    with committed():
        article = make_article()
        for n in range(3):
            make_comment(article, body=f"Comment {n}")
    return article


def html(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pressed(page, comment) -> bool:
    return bool(re.search(rf'aria-pressed="true" data-like-url="[^"]*/{comment.pk}/like/"', page))


def threads(page) -> str:
    return page[page.index("data-comment-list") : page.index('<template id="comment-template"')]


# Any comment's Edit or Delete link (not the skeleton's, pk 0, for comments.js).
ANY_EDIT = re.compile(r"/comments/[1-9][0-9]*/(edit|delete)/")


def edit_link(comment) -> str:
    return f"/comments/{comment.pk}/edit/"


def comment_html(page, comment) -> str:
    start = page.index(f'<article id="c{comment.pk}"')
    return page[start : page.index("</article>", start)]


# --- Assembled from the cache ------------------------------------------------------------
def test_second_view_draws_nothing_and_a_new_comment_draws_only_itself(article, committed, draws):
    reader = signed_in(make_user())
    html(reader, article)
    assert len(draws) == 3
    draws.clear()
    assert "Comment 2" in html(reader, article)
    assert draws == []
    with committed():
        new = make_comment(article, body="Brand new")
    assert "Brand new" in html(reader, article)
    assert draws == [new.pk]


def test_a_hit_costs_no_query(article, moderator, draws, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(moderator)
    html(client, article)  # everything else on the page cached too
    # A new format: every fragment is drawn again, then found.
    monkeypatch.setattr(fragments, "FORMAT", fragments.FORMAT + 1)
    draws.clear()
    with CaptureQueriesContext(connection) as drawing:
        cold = html(client, article)
    assert len(draws) == 3
    draws.clear()
    with CaptureQueriesContext(connection) as found:
        warm = html(client, article)
    assert draws == []
    assert len(drawing) == len(found)
    # The same page, whether its comments were drawn now or found.
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", threads(cold)) == strip.sub("", threads(warm))


def test_the_cache_being_down_still_renders_every_comment(article, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "set_many", down)
    page = html(signed_in(make_user()), article)
    assert all(f"Comment {n}" in page for n in range(3))


def test_markup_keeps_body_whitespace(committed):
    with committed():
        article = make_article()
        comment = make_comment(article, body="line one\n\n    indented code")
    page = html(Client(), article)
    assert comment.body_html in page


# --- Invalidation: a change is a new key --------------------------------------------------
def test_an_edit_shows(article, committed):
    reader = signed_in(make_user())
    comment = article.comments.first()
    html(reader, article)
    with committed():
        services.comment_edit(comment=comment, body="Rewritten words")
    page = html(reader, article)
    assert "Rewritten words" in page
    assert "edited" in comment_html(page, comment)


def test_a_like_shows_in_the_count_and_only_the_liker_is_pressed(article):
    comment = article.comments.first()
    liker, other = make_user(), make_user()
    html(signed_in(other), article)
    services.comment_like(comment=comment, voter=f"u:{liker.pk}")
    mine = html(signed_in(liker), article)
    theirs = html(signed_in(other), article)
    assert pressed(mine, comment)
    assert not pressed(theirs, comment)
    assert not pressed(html(Client(), article), comment)
    for page in (mine, theirs):
        assert re.search(r'data-slot="like-count">1<', comment_html(page, comment))


def test_a_removed_attachment_goes(article, committed):
    comment = article.comments.first()
    with committed():
        attachment = Attachment.objects.create(
            comment=comment,
            slot=1,
            kind=Attachment.Kind.DOCUMENT,
            file="attachments/report.pdf",
            name="quarterly-report.pdf",
            content_type="application/pdf",
            size=1000,
        )
    reader = signed_in(make_user())
    assert "quarterly-report.pdf" in html(reader, article)
    attachment.delete()
    assert "quarterly-report.pdf" not in html(reader, article)


def test_a_moderation_decision_shows(committed, moderator):
    with committed():
        article = make_article()
        parent = make_comment(article, body="The parent")
        make_comment(article, body="A reply", parent=parent)
    reader = signed_in(make_user())
    assert "The parent" in html(reader, article)
    with committed():
        decisions.comment_decide(comment=parent, action="reject", by=moderator)
    page = html(reader, article)
    assert "The parent" not in page
    assert "This comment is awaiting moderation." in comment_html(page, parent)


def test_featuring_shows_the_pick_badge(article, committed, moderator):
    comment = article.comments.first()
    reader = signed_in(make_user())
    assert "Newsroom pick" not in comment_html(html(reader, article), comment)
    with committed():
        decisions.comment_decide(comment=comment, action="feature", by=moderator)
    assert "Newsroom pick" in comment_html(html(reader, article), comment)


def test_an_author_rename_shows(committed):
    author = make_user(display_name="Old Name")
    with committed():
        article = make_article()
        comment = make_comment(article, user=author, body="Signed words")
    reader = signed_in(make_user())
    assert "Old Name" in comment_html(html(reader, article), comment)
    author.display_name = "New Name"
    author.save()
    page = html(reader, article)
    assert "New Name" in comment_html(page, comment)
    assert "Old Name" not in page


def test_a_badge_change_shows(committed):
    author = make_user(display_name="Writer")
    with committed():
        article = make_article()
        comment = make_comment(article, user=author, body="From the writer")
    reader = signed_in(make_user())
    assert 'data-badge="author"' not in comment_html(html(reader, article), comment)
    article.authors.add(author)
    assert 'data-badge="author"' in comment_html(html(reader, article), comment)


def test_closing_the_thread_removes_the_reply_links(article):
    reader = signed_in(make_user())
    assert "replyto=" in html(reader, article)
    article.comments_open = False
    article.save()
    page = html(reader, article)
    assert "replyto=" not in page
    assert "Comment 0" in page


def test_reply_links_keep_the_readers_page_and_order(article, settings):
    settings.COMMENTS_PAGE_SIZE = 1
    reader = signed_in(make_user())
    html(reader, article)  # draws the fragments
    second = reader.get(article.get_absolute_url() + "?ordering=newest&cpage=2").content.decode()
    assert "?ordering=newest&amp;cpage=2&amp;replyto=" in second


# --- Per-reader state ---------------------------------------------------------------------
def test_two_readers_see_only_their_own_edit_links(committed):
    alice, bob = make_user(), make_user()
    with committed():
        article = make_article()
        hers = make_comment(article, user=alice, body="Alice's words")
        his = make_comment(article, user=bob, body="Bob's words")
    alice_page = html(signed_in(alice), article)
    bob_page = html(signed_in(bob), article)
    assert edit_link(hers) in alice_page and edit_link(his) not in alice_page
    assert edit_link(his) in bob_page and edit_link(hers) not in bob_page
    anonymous = html(Client(), article)
    assert not ANY_EDIT.search(anonymous)
    assert 'aria-pressed="true"' not in anonymous


def test_a_guest_with_an_edit_token_sees_their_own_links_only(article, committed):
    guest = Client()
    with committed():
        guest.post(
            f"/articles/{article.slug}/comments/post/",
            {"name": "Gia", "email": "gia@example.com", "body": "Guest words"},
        )
    own = article.comments.get(body="Guest words")
    page = html(guest, article)
    assert edit_link(own) in page
    assert all(edit_link(c) not in page for c in article.comments.exclude(pk=own.pk))
    assert edit_link(own) not in html(Client(), article)
    assert edit_link(own) not in html(signed_in(make_user()), article)


def test_a_moderators_links_are_theirs_alone(article, moderator):
    page = html(signed_in(moderator), article)
    assert all(edit_link(c) in page for c in article.comments.all())
    reader_page = html(signed_in(make_user()), article)
    assert not ANY_EDIT.search(reader_page)
    assert not ANY_EDIT.search(html(Client(), article))


def test_each_reader_gets_their_own_csrf_token(article):
    clients = [Client(enforce_csrf_checks=True) for _ in range(2)]
    found = []
    for client in clients:
        page = html(client, article)
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
        assert tokens and "\x00" not in page
        found.append(tokens)
        response = client.post(
            f"/articles/{article.slug}/rating/",
            {"stars": "4", "csrfmiddlewaretoken": next(iter(tokens))},
        )
        assert response.status_code == 302
    assert not found[0] & found[1]


def test_relative_times_are_worded_at_serve_time(article, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    comment = article.comments.first()
    html(Client(), article)  # drawn "just now"-ish
    later = timezone.now() + timedelta(hours=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    page = html(Client(), article)
    assert "3 hours ago" in comment_html(page, comment)


def test_an_own_held_comment_is_shown_to_its_author_alone(committed, settings):
    author = make_user()
    with committed():
        article = make_article()
        make_comment(article, body="Public")
        held = make_comment(article, user=author, body="Held words", status=Comment.Status.PENDING)
    assert "Held words" in html(signed_in(author), article)
    assert "Held words" not in html(signed_in(make_user()), article)
    assert held.pk
