"""Issue 16: concurrent flags from one network count once (PostgreSQL, real threads)."""

from comments import services
from comments.models import Comment, CommentFlag
from tests.concurrency import needs_postgresql, race
from tests.factories import make_comment, make_user

pytestmark = needs_postgresql


def _flag(comment_id, *, voter, ip=None, user=None):
    services.comment_flag(
        comment=Comment.objects.get(pk=comment_id),
        voter=voter,
        reason="abuse",
        ip_address=ip,
        user=user,
    )


def test_concurrent_cookieless_flags_from_one_network_count_once(settings):
    settings.COMMENTS_FLAG_THRESHOLD = 3
    comment = make_comment()
    # Twelve requests without cookies: twelve voters, one /24.
    race(12, lambda i: _flag(comment.pk, voter=f"g:fresh{i}", ip=f"203.0.113.{i + 1}"))
    comment.refresh_from_db()
    assert (comment.status, comment.flag_count) == ("approved", 1)
    assert CommentFlag.objects.filter(comment=comment).count() == 1


def test_concurrent_flags_from_distinct_networks_all_count(settings):
    settings.COMMENTS_FLAG_THRESHOLD = 100
    comment = make_comment()
    race(10, lambda i: _flag(comment.pk, voter=f"g:{i}", ip=f"10.{i}.0.1"))
    comment.refresh_from_db()
    assert comment.flag_count == 10


def test_flags_racing_a_moderators_approval_keep_the_count_true(settings):
    settings.COMMENTS_FLAG_THRESHOLD = 100
    comment = make_comment()
    moderator = make_user("mod", is_superuser=True, is_staff=True)

    def act(i):
        if i == 0:
            services.comment_approve(comment=Comment.objects.get(pk=comment.pk), by=moderator)
        else:
            _flag(comment.pk, voter=f"g:{i}", ip=f"10.{i}.0.1")

    race(9, act)
    comment.refresh_from_db()
    counting = CommentFlag.objects.filter(comment=comment, counts=True, cleared_at__isnull=True)
    assert comment.flag_count == counting.count()
