"""What a page shows of the reader's own (comments' side): which comments they liked,
whether they follow the conversation, and, for a plain signed-in reader, their
standing on an article, kept in the cache so that each view of the page signed-in
readers share (``articles.cache.member_cacheable``) does not ask again. The holes of
that page the comments app fills are ``member_holes``'s."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import cache as page_cache
from articles import versions
from articles.models import Article
from articles.voters import voter_key
from comments import fragments, services
from comments.models import Comment, CommentLike, ThreadSubscription


def liked(request, comment_ids) -> set[int]:
    """Which of these comments the current voter liked (one query; none, and nobody's
    likes, in a copy of the page shared by every reader)."""
    if page_cache.is_shared_copy(request):
        return set()
    return set(
        CommentLike.objects.filter(
            voter=voter_key(request), comment_id__in=comment_ids
        ).values_list("comment_id", flat=True)
    )


# A plain signed-in reader's standing on an article, kept in the cache so that their
# every page view does not ask again: that they may be served the shared threads (not a
# moderator, no comment of theirs still editable or held), whether they follow the
# conversation, and which of a page's comments they liked. Kept only while it says
# "shared" and only for the article's version it was read at (a comment or like of
# theirs moves the version); following changes drop it (``services.thread_subscribe``). A
# reader made a moderator meanwhile sees the plain page for at most this long: less
# than they may, never more.
READER_STATE_TIMEOUT = 60


def reader_state(request, article) -> dict | None:
    """``{"version", "following", "liked": {digest of a page's ids: [liked ids]}}`` for a
    signed-in reader whose threads are the shared ones; None for anyone else. One
    cache read when kept; else whether they may moderate (one query), and whether they
    have a comment still editable or held with whether they follow (one)."""
    memo = getattr(request, "_comments_reader_state", {})
    if article.pk in memo:
        return memo[article.pk]
    user, tag = request.user, versions.version_tag(article)
    key = services.reader_state_key(user.pk, article.pk)
    state = fragments.get_many([key]).get(key)
    if state is None or state.get("version") != tag:
        state = _read_reader_state(user, article, tag)
        if state is not None:
            fragments.set_many({key: state}, READER_STATE_TIMEOUT)
    memo[article.pk] = state
    request._comments_reader_state = memo
    return state


def _read_reader_state(user, article, tag: str) -> dict | None:
    if services.can_moderate(user):
        return None
    window = timezone.now() - timedelta(seconds=settings.COMMENTS_EDIT_WINDOW)
    own = Q(created_at__gt=window) | Q(status__in=Comment.SHOWN_TO_AUTHOR_AS_PENDING)
    mine, following = (
        Article.objects.filter(pk=article.pk)
        .annotate(
            mine=Exists(Comment.objects.filter(own, article=OuterRef("pk"), user=user)),
            following=Exists(ThreadSubscription.objects.filter(user=user, article=OuterRef("pk"))),
        )
        .values_list("mine", "following")
        .get()
    )
    if mine:
        return None
    return {"version": tag, "following": following, "liked": {}}


def following(request, article) -> bool:
    """Whether the signed-in reader follows the conversation (known already when
    ``comments.threads`` asked whether their threads are the shared ones)."""
    state = getattr(request, "_comments_reader_state", {}).get(article.pk)
    if state is not None:
        return state["following"]
    return ThreadSubscription.objects.filter(user=request.user, article=article).exists()


def member_holes(request, article, names: set[str]) -> dict[str, str]:
    """The reader's own values of the comment section's holes: the like buttons they
    pressed (one query), whether they follow the conversation (one), their name."""
    user = request.user
    values = {"reader-public-name": user.public_name}
    likes = {name for name in names if name.startswith(fragments.LIKE_HOLE_PREFIX)}
    if likes:
        ids = sorted(int(name.removeprefix(fragments.LIKE_HOLE_PREFIX)) for name in likes)
        pressed = readers_likes(request, article, ids)
        values.update({fragments.like_hole_name(pk): str(pk in pressed).lower() for pk in ids})
    if "follow-action" in names:
        follows = following(request, article)
        values["follow-action"] = "unfollow" if follows else "follow"
        values["follow-pressed"] = "true" if follows else "false"
        values["follow-label"] = str(
            _("Following this conversation") if follows else _("Follow this conversation")
        )
    return values


def readers_likes(request, article, ids: list[int]) -> set[int]:
    """Which of these comments the reader liked: kept with their standing on the
    article (``reader_state``) per page of ids, else one query."""
    if not article.comment_count:
        return set()
    state = reader_state(request, article)
    if state is None:  # not a reader of the shared copy: asked, not kept
        return liked(request, ids)
    digest = hashlib.sha256(repr(ids).encode()).hexdigest()[:16]
    if digest not in state["liked"]:
        state["liked"] = {**state["liked"], digest: sorted(liked(request, ids))}
        key = services.reader_state_key(request.user.pk, article.pk)
        fragments.set_many({key: state}, READER_STATE_TIMEOUT)
    return set(state["liked"][digest])
