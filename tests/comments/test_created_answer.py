"""The answer to a new comment is built as a plain dict (``created_comment_data``): it
must be exactly what ``CommentCreatedSerializer`` (the schema's shape) writes."""

import pytest

from comments import posting, tokens
from comments.api.serializers import CommentCreatedSerializer, created_comment_data
from comments.attachments import prepare
from tests.comments import files
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def answers(comment, rf):
    request = rf.post("/", secure=True)
    expected = CommentCreatedSerializer(comment, context={"request": request}).data
    return created_comment_data(comment, request=request), dict(expected)


def created(**fields):
    article = fields.pop("article", None) or make_article(ratings_enabled=True)
    result = posting.comment_create(article=article, body="Well argued.", **fields)
    comment = result.comment
    comment.article = article
    if result.edit_token:
        comment.edit_token = result.edit_token
    return comment


def test_a_guests_held_comment_with_everything(rf, settings):
    settings.COMMENTS_MODERATION = "guests"
    comment = created(
        guest_name="Ann",
        guest_email="ann@example.com",
        rating=4,
        location={"name": "Geneva", "latitude": 46.2, "longitude": 6.1},
        attachments=[prepare(files.upload(files.png_with_text(), "c.png"))],
    )
    comment.trust_token = tokens.trust_token(comment) or "t"
    fast, expected = answers(comment, rf)
    assert fast["status"] == "pending" and fast["edit_token"] and fast["attachments"]
    assert fast == expected


def test_a_published_reply_by_an_account_has_no_tokens(rf, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    parent = created(article=article, guest_name="Bo", guest_email="bo@example.com")
    comment = created(article=article, user=make_user(display_name="Rita"), parent=parent)
    fast, expected = answers(comment, rf)
    assert "edit_token" not in fast and fast["parent"] == parent.pk
    assert fast == expected
