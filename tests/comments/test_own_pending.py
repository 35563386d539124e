"""A held comment is shown to its author, in place, with an "Awaiting moderation" badge
(and still editable in the window); never to anyone else, never from a shared copy."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db

BADGE = "Awaiting moderation"


def page(client, article, **query) -> str:
    return client.get(article.get_absolute_url(), query).content.decode()


def guest_post(client, article, body, **extra):
    return client.post(
        f"/articles/{article.slug}/comments/post/",
        {"name": "Ana", "email": "first.time@example.com", "body": body, **extra},
    )


def test_a_guest_sees_their_held_comment_in_place_with_a_badge(client, settings):
    settings.COMMENTS_MODERATION = "all"
    article = make_article()
    make_comment(article, body="An approved one.")
    response = guest_post(client, article, "Held for review.")
    held = Comment.objects.get(body="Held for review.")
    assert held.status == Comment.Status.PENDING
    assert response["Location"].endswith(f"#c{held.pk}")
    html = page(client, article)
    assert f'id="c{held.pk}"' in html and BADGE in html
    assert f'/comments/{held.pk}/edit/"' in html  # still the author's to change
    assert f'/comments/{held.pk}/flag/"' not in html  # nothing to like, flag or reply to


def test_nobody_else_sees_it(client, settings):
    settings.COMMENTS_MODERATION = "all"
    article = make_article()
    make_comment(article, body="An approved one.")
    guest_post(client, article, "Held for review.")
    for other in (Client(), Client()):
        html = page(other, article)
        assert "Held for review." not in html and BADGE not in html


def test_a_signed_in_reader_sees_their_own_held_reply_under_its_parent(client, reader, settings):
    settings.COMMENTS_MODERATION = "all"
    article = make_article()
    parent = make_comment(article, body="Parent.")
    client.force_login(reader)
    client.post(
        f"/articles/{article.slug}/comments/post/", {"body": "My held reply.", "parent": parent.pk}
    )
    reply = Comment.objects.get(body="My held reply.")
    html = page(client, article)
    assert html.index(f'id="c{parent.pk}"') < html.index(f'id="c{reply.pk}"')
    assert BADGE in html
    assert "My held reply." not in page(Client(), article)


def test_a_comment_silently_marked_spam_looks_held_to_its_author(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    guest_post(client, article, "Buy now!", homepage="http://bot.example")  # the honeypot
    spam = Comment.objects.get(body="Buy now!")
    assert spam.status == Comment.Status.SPAM
    html = page(client, article)
    assert f'id="c{spam.pk}"' in html and BADGE in html


def test_a_held_comment_never_reaches_the_shared_threads_copy(client, reader, settings):
    settings.COMMENTS_MODERATION = "all"
    settings.COMMENTS_THREADS_CACHE_TIMEOUT = 60
    article = make_article()
    make_comment(article, body="An approved one.")
    client.force_login(reader)
    client.post(f"/articles/{article.slug}/comments/post/", {"body": "Mine, held."})
    # Past the edit window it is still theirs to see, and still no one else's.
    Comment.objects.filter(body="Mine, held.").update(created_at=timezone.now() - timedelta(days=1))
    others = [Client(), Client()]
    for other in others:
        other.force_login(make_user())
    assert "Mine, held." not in page(others[0], article)  # fills the shared copy
    assert "Mine, held." in page(client, article)
    assert "Mine, held." not in page(others[1], article)
