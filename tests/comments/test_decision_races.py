"""Two moderators deciding one comment at the same moment, in real concurrent
transactions (PostgreSQL; SQLite serialises writers anyway)."""

from django.contrib.auth.models import Permission

from comments import decisions
from comments.models import Comment, ModerationLog
from tests.concurrency import needs_postgresql, race
from tests.factories import make_comment, make_user

pytestmark = needs_postgresql


def make_moderator(name):
    user = make_user(name, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    return user


def test_two_moderators_deciding_one_version_one_wins_and_one_is_told():
    comment = make_comment(status=Comment.Status.PENDING)
    moderators = [make_moderator("first"), make_moderator("second")]
    actions, conflicts = ["approve", "reject"], []

    def decide(i):
        try:
            decisions.comment_decide(
                comment=Comment.objects.get(pk=comment.pk),
                action=actions[i],
                by=moderators[i],
                version=comment.version,
            )
        except decisions.DecisionConflict as conflict:
            conflicts.append(conflict)

    race(2, decide)
    comment.refresh_from_db()
    assert len(conflicts) == 1
    assert ModerationLog.objects.filter(comment=comment).count() == 1
    assert comment.version == 1
    assert comment.status == conflicts[0].comment.status


def test_concurrent_bulk_approvals_count_each_comment_once():
    comments = [make_comment(status=Comment.Status.PENDING) for _ in range(3)]
    moderators = [make_moderator(f"m{i}") for i in range(4)]
    ids = [c.pk for c in comments]
    race(
        4,
        lambda i: decisions.comments_decide(comment_ids=ids, action="approve", by=moderators[i]),
    )
    assert ModerationLog.objects.filter(comment__in=comments).count() == 3
    assert Comment.objects.filter(pk__in=ids, version=1).count() == 3
