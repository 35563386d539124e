"""A guest's edit rights on pages live in one bounded, signed cookie (a cookie per
comment grew the Cookie header past the server's limit: every request then got 431)."""

import pytest

from comments import tokens
from comments.models import Comment
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def post(client, article, n):
    return client.post(
        f"/articles/{article.slug}/comments/post/",
        {"name": "Ana", "email": "ana@example.com", "body": f"Comment {n}"},
    )


def test_many_posts_keep_one_cookie_of_bounded_size(client, settings):
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_RATE_LIMIT = "1000/h"
    article = make_article()
    for n in range(tokens.MAX_TOKENS + 10):
        assert post(client, article, n).status_code == 303
    edit_cookies = [name for name in client.cookies if name.startswith("comment_edit")]
    assert edit_cookies == [tokens.COOKIE]
    assert len(client.cookies[tokens.COOKIE].value) < 2000
    newest = Comment.objects.order_by("-pk")[: tokens.MAX_TOKENS]
    oldest = Comment.objects.order_by("pk").first()
    assert all(client.get(f"/comments/{c.pk}/edit/").status_code == 200 for c in newest)
    assert client.get(f"/comments/{oldest.pk}/edit/").status_code == 403


def test_deleting_a_comment_drops_only_its_token(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    post(client, article, 1)
    post(client, article, 2)
    first, second = Comment.objects.order_by("pk")
    assert client.post(f"/comments/{first.pk}/delete/").status_code == 303
    assert client.get(f"/comments/{second.pk}/edit/").status_code == 200
    assert client.get(f"/comments/{first.pk}/edit/").status_code == 403
