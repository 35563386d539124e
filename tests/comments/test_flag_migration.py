"""comments/0013 fills in the flags made before flags counted per flagger: a comment
that one network flagged three times counts one flag, and flags a moderator answered
by approving the comment count no more."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import make_article, make_user

BEFORE = [("comments", "0012_ban_outlives_account_actor_name")]
AFTER = [("comments", "0013_commentflag_flagger")]


@pytest.fixture
def old_apps(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_forward():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    return executor.loader.project_state(AFTER).apps


def old_comment(apps, *, flag_count):
    # Only the comments app is rolled back: the article is today's model.
    Comment = apps.get_model("comments", "Comment")
    return Comment.objects.create(
        article_id=make_article().pk,
        body="Flagged",
        body_html="<p>Flagged</p>",
        guest_name="G",
        guest_email="g@example.com",
        status="approved",
        path="0000000001",
        flag_count=flag_count,
    )


def test_one_network_counts_once_and_approved_flags_are_cleared(old_apps):
    CommentFlag = old_apps.get_model("comments", "CommentFlag")
    ModerationLog = old_apps.get_model("comments", "ModerationLog")
    comment = old_comment(old_apps, flag_count=5)
    moderator = make_user("mod")
    early = timezone.now() - timedelta(hours=2)
    flags = [
        ("g:a", "203.0.113.5", None),
        ("g:b", "203.0.113.6", None),  # same /24: a second flagger it is not
        ("g:c", "198.51.100.5", None),
        ("g:d", "2001:db8::1", None),
        (f"u:{moderator.pk}", "203.0.113.7", moderator),
    ]
    for n, (voter, ip, user) in enumerate(flags):
        flag = CommentFlag.objects.create(
            comment=comment, voter=voter, reason="abuse", ip_address=ip, user_id=user and user.pk
        )
        # The first two before the moderator's approval, the rest after it.
        CommentFlag.objects.filter(pk=flag.pk).update(created_at=early + timedelta(minutes=n * 30))
    log = ModerationLog.objects.create(
        comment=comment, action="approve", actor_id=moderator.pk, to_status="approved"
    )
    ModerationLog.objects.filter(pk=log.pk).update(created_at=early + timedelta(minutes=45))

    new_apps = migrate_forward()
    Flag = new_apps.get_model("comments", "CommentFlag")
    rows = {f.voter: f for f in Flag.objects.all()}
    assert rows["g:a"].flagger == "n:203.0.113.0/24" and rows["g:a"].counts
    assert rows["g:b"].flagger == "v:g:b" and not rows["g:b"].counts
    assert rows["g:c"].flagger == "n:198.51.100.0/24"
    assert rows["g:d"].flagger == "n:2001:db8::/64"
    assert rows[f"u:{moderator.pk}"].flagger == f"u:{moderator.pk}"
    assert [v for v, f in sorted(rows.items()) if f.cleared_at] == ["g:a", "g:b"]
    assert all(f.notified_at for f in rows.values())
    # Counting now: g:c, g:d and the account (g:a was cleared, g:b never counted).
    assert new_apps.get_model("comments", "Comment").objects.get().flag_count == 3
