"""The moderators' API: the queue, and changing a comment's status (audited)."""

import pytest

from comments import services
from comments.models import Comment, ModerationLog
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/moderation/comments/"


def held_comment(article=None, **overrides):
    overrides.setdefault("status", Comment.Status.PENDING)
    comment = make_comment(article, **overrides)
    Comment.objects.filter(pk=comment.pk).update(moderation_reasons=["too_many_links"])
    return comment


def ids(response):
    return [item["id"] for item in response.json()["results"]]


def test_queue_is_forbidden_to_guests(api_client):
    response = api_client.get(QUEUE)
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


def test_queue_is_forbidden_to_plain_readers(api_client, reader):
    api_client.force_authenticate(reader)
    response = api_client.get(QUEUE)
    assert response.status_code == 403
    assert response.json()["detail"] == "Only moderators can see the moderation queue."


def test_queue_lists_pending_comments_oldest_first_by_default(api_client, moderator):
    first, second = held_comment(), held_comment()
    make_comment()  # approved: not in the queue
    api_client.force_authenticate(moderator)
    response = api_client.get(QUEUE)
    assert response.status_code == 200
    assert ids(response) == [first.pk, second.pk]


@pytest.mark.parametrize("status", ["approved", "spam", "rejected", "deleted"])
def test_queue_filters_by_status(api_client, moderator, status):
    make_comment(status=Comment.Status.PENDING)
    wanted = make_comment(status=status)
    api_client.force_authenticate(moderator)
    assert ids(api_client.get(QUEUE, {"status": status})) == [wanted.pk]


def test_flagged_filter_lists_published_comments_with_flags(api_client, moderator):
    flagged = make_comment()
    make_comment()
    services.comment_flag(comment=flagged, voter="g:one", reason="spam", note="Ad")
    api_client.force_authenticate(moderator)
    assert ids(api_client.get(QUEUE, {"status": "flagged"})) == [flagged.pk]


def test_unknown_status_filter_is_a_400(api_client, moderator):
    api_client.force_authenticate(moderator)
    response = api_client.get(QUEUE, {"status": "whatever"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_queue_shows_moderators_reasons_flags_email_and_ip(api_client, moderator):
    article = make_article()
    comment = held_comment(
        article, status="approved", guest_email="gus@example.com", ip_address="203.0.113.9"
    )
    services.comment_flag(comment=comment, voter="g:one", reason="abuse", note="Rude")
    api_client.force_authenticate(moderator)
    item = api_client.get(QUEUE, {"status": "flagged"}).json()["results"][0]
    assert item["moderation_reasons"] == ["too_many_links"]
    assert item["reasons"] == ["Too many links"]
    assert item["flag_count"] == 1
    assert [(f["reason"], f["note"]) for f in item["flags"]] == [("abuse", "Rude")]
    assert (item["author_email"], item["ip_address"]) == ("gus@example.com", "203.0.113.9")
    assert (item["article"], item["status"]) == (article.slug, "approved")


@pytest.mark.parametrize("count", [5, 50])
def test_queue_query_count_does_not_grow_with_comments(
    api_client, moderator, django_assert_num_queries, count
):
    article = make_article()
    for n in range(count):
        comment = held_comment(article, status="approved", user=moderator if n % 2 else None)
        services.comment_flag(comment=comment, voter="g:one", reason="spam")
    api_client.force_authenticate(moderator)
    # 1. whether they may moderate (comments.services.can_moderate), 2. count, 3. the
    # page with articles and users, 4. their flags, 5. their attachments, 6. their
    # revisions.
    with django_assert_num_queries(6):
        response = api_client.get(QUEUE, {"status": "flagged"})
    assert len(response.json()["results"]) == min(count, 20)


def test_moderator_status_change_is_audited_with_the_actor(api_client, moderator):
    comment = held_comment()
    api_client.force_authenticate(moderator)
    response = api_client.patch(
        f"/api/v1/comments/{comment.pk}/", {"status": "approved"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    log = ModerationLog.objects.get(action=ModerationLog.Action.APPROVE)
    assert (log.comment, log.actor) == (comment, moderator)
    assert (log.from_status, log.to_status) == ("pending", "approved")


def test_moderator_sees_the_real_status_of_a_spam_comment(api_client, moderator):
    comment = make_comment(status=Comment.Status.SPAM)
    api_client.force_authenticate(moderator)
    assert api_client.get(f"/api/v1/comments/{comment.pk}/").json()["status"] == "spam"


def test_author_is_told_pending_for_a_spam_comment(api_client):
    comment = make_comment(status=Comment.Status.SPAM)
    response = api_client.get(
        f"/api/v1/comments/{comment.pk}/", HTTP_X_COMMENT_TOKEN=comment.edit_token
    )
    assert response.json()["status"] == "pending"


def test_moderator_edit_is_audited(api_client, moderator):
    comment = make_comment()
    api_client.force_authenticate(moderator)
    api_client.patch(f"/api/v1/comments/{comment.pk}/", {"body": "Trimmed."}, format="json")
    log = ModerationLog.objects.get(action=ModerationLog.Action.EDIT)
    assert (log.comment, log.actor) == (comment, moderator)
