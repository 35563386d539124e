"""Moderators' decisions (comments.decisions): each action, stale versions, undo, bulk."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError

from comments import decisions, services
from comments.models import Comment, CommentRevision, ModerationLog
from tests.factories import make_comment, make_user

pytestmark = pytest.mark.django_db

Status = Comment.Status


@pytest.fixture
def second_moderator(db):
    user = make_user("maria", display_name="Maria Moderator", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    return user


def pending():
    return make_comment(status=Status.PENDING)


def decide(comment, action, by, **kwargs):
    return decisions.comment_decide(comment=comment, action=action, by=by, **kwargs)


def log_rows(comment):
    return list(ModerationLog.objects.filter(comment=comment).order_by("created_at", "id"))


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("reject", "rejected"), ("spam", "spam")],
)
def test_status_decision_moves_status_version_and_logs_the_screen(moderator, action, status):
    comment = pending()
    decided = decide(comment, action, moderator, reason="Because")
    assert (decided.status, decided.version) == (status, comment.version + 1)
    row = log_rows(comment)[-1]
    assert (row.actor, row.screen, row.reason, row.to_status) == (
        moderator,
        "api",
        "Because",
        status,
    )


def test_approval_counts_the_comment_on_its_article(moderator):
    comment = pending()
    decide(comment, "approve", moderator)
    comment.article.refresh_from_db()
    assert comment.article.comment_count == 1


def test_the_same_decision_twice_changes_nothing(moderator):
    comment = decide(pending(), "approve", moderator)
    again = decide(comment, "approve", moderator)
    assert again.version == comment.version
    assert len(log_rows(comment)) == 1


def test_approving_a_flagged_published_comment_dismisses_its_flags(moderator):
    comment = make_comment()
    services.comment_flag(comment=comment, voter="g:one", reason="spam")
    decided = decide(comment, "approve", moderator)
    assert (decided.flag_count, decided.version) == (0, comment.version + 1)
    assert log_rows(comment)[-1].reason == "1 flag(s) dismissed"


def test_restore_takes_a_rejected_comment_back_to_pending(moderator):
    comment = decide(pending(), "reject", moderator)
    restored = decide(comment, "restore", moderator)
    assert restored.status == Status.PENDING
    assert log_rows(comment)[-1].action == ModerationLog.Action.RESTORE


def test_restore_takes_a_rejected_comment_back_to_approved_if_it_was(moderator):
    comment = decide(make_comment(), "reject", moderator)
    assert decide(comment, "restore", moderator).status == Status.APPROVED


def test_restore_without_an_earlier_decision_is_refused(moderator):
    with pytest.raises(ValidationError) as caught:
        decide(pending(), "restore", moderator)
    assert "action" in caught.value.message_dict


def test_feature_and_unfeature_a_published_comment(moderator):
    featured = decide(make_comment(), "feature", moderator)
    assert featured.is_featured and featured.featured_at is not None
    plain = decide(featured, "unfeature", moderator)
    assert (plain.is_featured, plain.featured_at) == (False, None)
    assert [r.action for r in log_rows(plain)] == ["feature", "unfeature"]


def test_feature_moves_the_article_page(moderator, monkeypatch):
    changed = []
    monkeypatch.setattr(decisions, "article_changed", changed.append)
    comment = decide(make_comment(), "feature", moderator)
    assert changed == [comment.article_id]


def test_a_held_comment_cannot_be_featured(moderator):
    with pytest.raises(ValidationError) as caught:
        decide(pending(), "feature", moderator)
    assert caught.value.message_dict == {"action": ["Only published comments can be featured."]}


def test_unknown_action_is_refused(moderator):
    with pytest.raises(ValidationError):
        decide(pending(), "delete", moderator)


@pytest.mark.parametrize("who", ["reader", "author", "nobody"])
def test_only_moderators_decide(reader, who):
    author = make_user("writer")
    comment = make_comment(user=author, status=Status.PENDING)
    by = {"reader": reader, "author": author, "nobody": None}[who]
    with pytest.raises(PermissionDenied):
        decide(comment, "approve", by)
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING


def test_a_stale_version_is_a_conflict_naming_who_decided(moderator, second_moderator):
    comment = pending()
    seen = comment.version
    decide(comment, "approve", second_moderator, version=seen)
    with pytest.raises(decisions.DecisionConflict) as caught:
        decide(comment, "reject", moderator, version=seen)
    conflict = caught.value
    assert conflict.by_name == "Maria Moderator (maria)"
    assert str(conflict).startswith("Already approved by Maria Moderator (maria) ")
    assert (conflict.comment.status, conflict.action) == (Status.APPROVED, "approve")
    assert len(log_rows(comment)) == 1


def test_an_edit_since_the_version_seen_is_a_conflict(moderator):
    comment = pending()
    CommentRevision.objects.create(comment=comment, editor_name="Gus", new_body="New")
    Comment.objects.filter(pk=comment.pk).update(version=5)
    with pytest.raises(decisions.DecisionConflict) as caught:
        decide(comment, "approve", moderator, version=0)
    assert str(caught.value).startswith("Already edited by Gus ")


def test_the_current_version_decides(moderator):
    comment = pending()
    assert decide(comment, "approve", moderator, version=comment.version).status == "approved"


# --- Bulk --------------------------------------------------------------------------------------
def test_bulk_decides_each_and_reports_the_rest(moderator):
    waiting, approved, held = pending(), make_comment(), pending()
    result = decisions.comments_decide(
        comment_ids=[waiting.pk, approved.pk, 999_999], action="approve", by=moderator
    )
    assert result["decided"] == [waiting.pk]
    assert result["unchanged"] == [approved.pk]
    assert set(result["failed"]) == {999_999}
    assert Comment.objects.get(pk=held.pk).status == Status.PENDING
    assert log_rows(waiting)[-1].screen == "bulk"


def test_bulk_feature_fails_only_the_held_ones(moderator):
    published, waiting = make_comment(), pending()
    result = decisions.comments_decide(
        comment_ids=[published.pk, waiting.pk], action="feature", by=moderator
    )
    assert result["decided"] == [published.pk]
    assert result["failed"] == {waiting.pk: "Only published comments can be featured."}


# --- Undo --------------------------------------------------------------------------------------
def undo(comment, by):
    return decisions.decision_undo(comment=comment, by=by)


def test_undo_within_the_window_puts_the_status_back(moderator):
    comment = decide(pending(), "reject", moderator)
    undone = undo(comment, moderator)
    assert (undone.status, undone.version) == (Status.PENDING, comment.version + 1)
    row = log_rows(comment)[-1]
    assert (row.action, row.screen, row.to_status) == ("undo", "desk", "pending")


def test_undo_of_a_feature_takes_it_out_of_the_picks(moderator):
    comment = decide(make_comment(), "feature", moderator)
    assert undo(comment, moderator).is_featured is False


def test_undo_is_too_late_after_the_window(moderator, settings):
    settings.COMMENTS_UNDO_SECONDS = 10
    comment = decide(pending(), "approve", moderator)
    back = ModerationLog.objects.filter(comment=comment)
    back.update(created_at=comment.created_at - timedelta(seconds=11))
    with pytest.raises(ValidationError) as caught:
        undo(comment, moderator)
    assert caught.value.message_dict == {"detail": ["Too late to undo."]}


def test_undo_after_someone_else_decided_is_refused(moderator, second_moderator):
    comment = decide(pending(), "approve", moderator)
    decide(comment, "reject", second_moderator)
    with pytest.raises(ValidationError):
        undo(comment, moderator)
    assert Comment.objects.get(pk=comment.pk).status == Status.REJECTED


def test_nobody_undoes_another_moderators_decision(moderator, second_moderator):
    comment = decide(pending(), "approve", moderator)
    with pytest.raises(ValidationError):
        undo(comment, second_moderator)


def test_an_undo_cannot_be_undone(moderator):
    comment = decide(pending(), "approve", moderator)
    undo(comment, moderator)
    with pytest.raises(ValidationError):
        undo(comment, moderator)


# --- The admin decides through the same function -------------------------------------------
def test_admin_action_decides_with_the_admin_screen(client):
    comment = pending()
    member = make_user("desk", is_staff=True)
    member.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(member)
    client.post(
        "/admin/comments/comment/",
        {"action": "reject", "_selected_action": [comment.pk], "reason": "Off topic"},
    )
    decided = Comment.objects.get(pk=comment.pk)
    row = log_rows(comment)[-1]
    assert (decided.status, decided.version) == (Status.REJECTED, 1)
    assert (row.screen, row.reason) == ("admin", "Off topic")
