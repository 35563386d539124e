"""Issue 16, "Editing skips moderation": an edit is judged by the same content rules as
a new comment, and an approved comment edited into spam goes back to review."""

import re

import pytest
from django.test import Client

from comments import services
from comments.models import BlockedWord, Comment, ModerationLog
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db

SPAM = "Buy cheapviagra now: http://a.example http://b.example http://c.example http://d.example"


@pytest.fixture(autouse=True)
def _blocked_word(db):
    BlockedWord.objects.create(phrase="cheapviagra")


def published(**overrides):
    return make_comment(make_article(), **overrides)


def test_approved_comment_edited_into_spam_goes_back_to_review():
    comment = published()
    services.comment_edit(comment=comment, body=SPAM)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reasons == ["blocked_word:cheapviagra", "too_many_links"]


def test_edited_into_spam_is_logged_and_uncounted():
    comment = published()
    services.comment_edit(comment=comment, body=SPAM)
    log = ModerationLog.objects.get(comment=comment, action=ModerationLog.Action.PENDING)
    assert (log.actor, log.from_status, log.to_status) == (None, "approved", "pending")
    assert "Too many links" in log.reason
    comment.article.refresh_from_db()
    assert comment.article.comment_count == 0


def test_a_clean_edit_stays_published():
    comment = published()
    services.comment_edit(comment=comment, body="A fair correction, see http://a.example")
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED


def test_a_moderators_edit_is_exempt(moderator):
    comment = published()
    services.comment_edit(comment=comment, body=SPAM, by=moderator)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED


def test_a_registered_authors_edit_is_moderated_too():
    author = make_user()
    comment = published(user=author)
    services.comment_edit(comment=comment, body=SPAM, by=author)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


def test_a_pending_comment_edited_into_spam_keeps_waiting_with_the_new_reasons():
    comment = published(status=Comment.Status.PENDING)
    Comment.objects.filter(pk=comment.pk).update(moderation_reasons=["first_time_guest"])
    comment.refresh_from_db()
    services.comment_edit(comment=comment, body=SPAM)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reasons == [
        "first_time_guest",
        "blocked_word:cheapviagra",
        "too_many_links",
    ]


def test_the_spam_check_hook_judges_the_edit(settings):
    settings.COMMENTS_SPAM_CHECK = "tests.comments.test_rules.always_spam"
    comment = published()
    services.comment_edit(comment=comment, body="Harmless words")
    comment.refresh_from_db()
    assert (comment.status, comment.moderation_reasons) == ("pending", ["spam_check"])


# --- Which posting-time rules apply --------------------------------------------------------
def test_first_time_guest_policy_does_not_hold_the_edit_of_an_approved_comment(settings):
    settings.COMMENTS_MODERATION = "first_time_guests"
    comment = published()
    services.comment_edit(comment=comment, body="Fixed a typo")
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED


def test_minimum_fill_time_does_not_hold_an_edit(settings):
    settings.COMMENTS_MIN_FILL_SECONDS = 3600
    comment = published()
    services.comment_edit(comment=comment, body="Fixed a typo")
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED


def test_guests_policy_sends_a_guests_edit_back_to_review(settings):
    settings.COMMENTS_MODERATION = "guests"
    comment = published()
    services.comment_edit(comment=comment, body="Now saying something else")
    comment.refresh_from_db()
    assert (comment.status, comment.moderation_reasons) == ("pending", ["policy_guests"])


def test_all_policy_lets_a_trusted_readers_edit_through(settings):
    settings.COMMENTS_MODERATION = "all"
    author = make_user()
    comment = published(user=author)
    services.comment_edit(comment=comment, body="Fixed a typo", by=author)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED


# --- The author is told ---------------------------------------------------------------------
def test_api_edit_into_spam_answers_pending(api_client):
    comment = published()
    response = api_client.patch(
        f"/api/v1/comments/{comment.pk}/",
        {"body": SPAM},
        format="json",
        HTTP_X_COMMENT_TOKEN=comment.edit_token,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


def test_api_moderator_edit_into_spam_stays_approved(api_client, moderator):
    comment = published()
    api_client.force_authenticate(moderator)
    response = api_client.patch(f"/api/v1/comments/{comment.pk}/", {"body": SPAM}, format="json")
    assert response.json()["status"] == "approved"


def notice_of(html: str, comment_id: int) -> str | None:
    match = re.search(rf'<article id="c{comment_id}".*?</article>', html, re.S)
    notice = match and re.search(r"data-notice>(.*?)</div>", match.group(0), re.S)
    return re.sub(r"<[^>]+>", "", notice.group(1)).strip() if notice else None


def test_page_edit_into_spam_tells_the_author_in_place(client, settings):
    settings.COMMENTS_MODERATION = "none"
    article = make_article()
    client.post(
        f"/articles/{article.slug}/comments/post/",
        {"name": "Ana", "email": "ana@example.com", "body": "Fine words."},
        follow=True,
    )
    comment = Comment.objects.get()
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": SPAM}, follow=True)
    html = response.content.decode()
    assert notice_of(html, comment.pk) == (
        "Your comment has been updated and is awaiting moderation."
    )
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
    assert "cheapviagra" not in Client().get(article.get_absolute_url()).content.decode()


def test_page_edit_by_a_moderator_is_exempt(client, moderator):
    comment = published()
    client.force_login(moderator)
    client.post(f"/comments/{comment.pk}/edit/", {"body": SPAM})
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED
