"""Issue 16 (LOW): the flag and like pages of a comment under a withdrawn (or scheduled)
article are a 404 for readers, as in the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from comments.models import CommentFlag, CommentLike
from tests.factories import make_comment

pytestmark = pytest.mark.django_db


def withdrawn_comment(**article_fields):
    comment = make_comment(body="Text under a withdrawn story")
    Article.objects.filter(pk=comment.article_id).update(
        **(article_fields or {"status": Article.Status.DRAFT})
    )
    return comment


def test_flag_page_of_a_withdrawn_articles_comment_is_404(client):
    comment = withdrawn_comment()
    response = client.get(f"/comments/{comment.pk}/flag/")
    assert response.status_code == 404
    assert "Text under a withdrawn story" not in response.content.decode()


def test_flagging_a_withdrawn_articles_comment_is_404(client):
    comment = withdrawn_comment()
    response = client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam"})
    assert response.status_code == 404
    assert not CommentFlag.objects.exists()


def test_liking_a_withdrawn_articles_comment_is_404(client):
    comment = withdrawn_comment()
    assert client.post(f"/comments/{comment.pk}/like/").status_code == 404
    assert not CommentLike.objects.exists()


def test_flag_page_of_a_scheduled_articles_comment_is_404(client):
    comment = withdrawn_comment(published_at=timezone.now() + timedelta(days=1))
    assert client.get(f"/comments/{comment.pk}/flag/").status_code == 404


def test_flag_page_of_a_published_articles_comment_still_works(client):
    comment = make_comment(body="Text under a live story")
    assert "Text under a live story" in client.get(f"/comments/{comment.pk}/flag/").content.decode()
