"""Without JavaScript, a confirmation about one comment is shown next to that comment
(not at the top of the page), and a flagged comment's Flag link reads "Flagged"."""

import re

import pytest

from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


def notice_of(html: str, comment_id: int) -> str | None:
    """The in-place notice inside comment ``comment_id``'s article element."""
    match = re.search(rf'<article id="c{comment_id}".*?</article>', html, re.S)
    notice = match and re.search(r"data-notice>(.*?)</div>", match.group(0), re.S)
    return re.sub(r"<[^>]+>", "", notice.group(1)).strip() if notice else None


def page_top(html: str) -> str:
    top = re.search(r'<div class="wrap messages" role="status">(.*?)</div>', html, re.S)
    return top.group(1) if top else ""


def test_a_flag_is_confirmed_next_to_the_comment_which_reads_flagged(client):
    comment = make_comment(make_article())
    response = client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam"}, follow=True)
    html = response.content.decode()
    assert notice_of(html, comment.pk) == "Thank you. A moderator will review this comment."
    assert "moderator will review" not in page_top(html)
    assert re.search(rf'<article id="c{comment.pk}".*?>Flagged</span>', html, re.S)
    # Once: the next view is an ordinary one.
    again = client.get(comment.article.get_absolute_url()).content.decode()
    assert notice_of(again, comment.pk) is None and f"/comments/{comment.pk}/flag/" in again


def test_a_reply_is_confirmed_as_a_reply_where_it_is(client, settings):
    settings.COMMENTS_MODERATION = "none"
    parent = make_comment(make_article())
    response = client.post(
        f"/articles/{parent.article.slug}/comments/post/",
        {"name": "Ana", "email": "ana@example.com", "body": "Agreed.", "parent": parent.pk},
        follow=True,
    )
    reply = Comment.objects.get(body="Agreed.")
    assert notice_of(response.content.decode(), reply.pk) == "Your reply has been posted."


def test_other_messages_stay_at_the_top(client, reader):
    article = make_article()
    client.force_login(reader)
    response = client.post(f"/articles/{article.slug}/comments/follow/", follow=True)
    assert "We will email you" in page_top(response.content.decode())
