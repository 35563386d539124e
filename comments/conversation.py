"""How a thread is read: its order (oldest, newest, most liked), the newsroom's picks,
and the badges that tell staff and the article's authors from readers. The page
(``comments.threads``) and the API (``comments.api.threads``) both read from here.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connections
from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import strip_tags
from django.utils.text import Truncator

from articles.models import Article
from comments.models import Comment

# --- Order ------------------------------------------------------------------------------
OLDEST, NEWEST, TOP = "oldest", "newest", "top"
ORDERINGS = (OLDEST, NEWEST, TOP)
DEFAULT_ORDERING = OLDEST
ORDERING_PARAM = "ordering"
# Remembers the reader's last choice (set by ``comments.views.comments_ordering``).
ORDERING_COOKIE = "comments_ordering"
ORDERING_COOKIE_AGE = 365 * 24 * 60 * 60


def valid_ordering(value) -> str | None:
    return value if value in ORDERINGS else None


def ordering_from_request(request) -> str:
    """The order of the page's threads: ``?ordering=`` when valid, else the reader's
    remembered choice (cookie) when valid, else oldest first. A bad value is ignored."""
    return (
        valid_ordering(request.GET.get(ORDERING_PARAM))
        or valid_ordering(request.COOKIES.get(ORDERING_COOKIE))
        or DEFAULT_ORDERING
    )


def root_order(ordering: str) -> list:
    """``order_by`` of top-level comments: newest first by time, or most liked (then
    oldest); the id breaks ties so that pages never overlap."""
    if ordering == NEWEST:
        return ["-created_at", "-pk"]
    if ordering == TOP:
        return ["-like_count", "created_at", "pk"]
    return ["path"]


# --- Picks ------------------------------------------------------------------------------
PICKS_SHOWN = 5


PICK_EXCERPT_WORDS = 30


def picks(article) -> list[dict]:
    """The article's featured published comments, newest pick first, as the strip
    shows them: ``{pk, author_name, excerpt}`` (plain text; the template escapes it).
    Plain data, so that the shared copy of a page of threads can keep it. One query,
    none when the article has no published comment."""
    if not article.comment_count:
        return []
    featured = (
        Comment.objects.approved()
        .filter(article=article, is_featured=True)
        .select_related("user")
        .order_by("-featured_at", "-pk")[:PICKS_SHOWN]
    )
    return [
        {
            "pk": comment.pk,
            "author_name": comment.author_name,
            "excerpt": Truncator(strip_tags(comment.body_html)).words(PICK_EXCERPT_WORDS),
        }
        for comment in featured
    ]


# --- Badges -----------------------------------------------------------------------------
STAFF, AUTHOR = "staff", "author"
EDITORS_GROUP = "Editors"


def _staff_q(user_ref: str = "user_id") -> Q:
    """Whether the user in ``user_ref`` moderates (``services.can_moderate``: the
    ``comments.moderate_comment`` permission, through a group, their own, or as an
    active superuser) or is an editor, as SQL."""
    user_model = get_user_model()
    perm = Permission.objects.filter(
        content_type__app_label="comments", codename="moderate_comment"
    )
    in_group = user_model.groups.through.objects.filter(user_id=OuterRef(user_ref)).filter(
        Q(group__name=EDITORS_GROUP) | Q(group__permissions__in=perm)
    )
    own_perm = user_model.user_permissions.through.objects.filter(
        user_id=OuterRef(user_ref), permission__in=perm
    )
    active = user_model.objects.filter(pk=OuterRef(user_ref), is_active=True)
    superuser = active.filter(is_superuser=True)
    return Exists(active) & (Exists(superuser) | Exists(in_group) | Exists(own_perm))


def _badge_case() -> Case:
    credited = Article.authors.through.objects.filter(
        article_id=OuterRef("article_id"), user_id=OuterRef("user_id")
    )
    return Case(
        When(user__isnull=True, then=Value(None)),
        When(_staff_q(), then=Value(STAFF)),
        When(Exists(credited), then=Value(AUTHOR)),
        default=Value(None),
        output_field=CharField(),
    )


# The badge's SQL, compiled once per database: building and compiling its four
# subqueries took a third of the CPU of an uncached API page of 100 comments.
_BADGE_SQL: dict[str, tuple[str, tuple]] = {}


def _badge_sql(using: str) -> tuple[str, tuple]:
    """The ``author_badge`` expression as SQL over the ``comments_comment`` row of the
    outer query (its columns are named by table, which a comment query's base table
    always is), with its parameters."""
    key = f"{using}:{connections[using].vendor}"
    compiled = _BADGE_SQL.get(key)
    if compiled is None:
        query = Comment.objects.annotate(author_badge=_badge_case()).query
        sql, params = query.get_compiler(using=using).compile(query.annotations["author_badge"])
        compiled = _BADGE_SQL.setdefault(key, (sql, tuple(params)))
    return compiled


def with_badges(queryset):
    """Comments annotated with ``author_badge`` (``"staff"``, ``"author"`` or None), in
    the same query: staff first, then a registered user credited on the comment's
    article."""
    sql, params = _badge_sql(queryset.db)
    # S611: the SQL is what Django compiled from the fixed expression above, every value
    # in it a parameter; nothing of a request reaches it.
    badge = RawSQL(sql, params, output_field=CharField())  # noqa: S611
    return queryset.annotate(author_badge=badge)


def badge_of(comment) -> str | None:
    """The comment's badge: its annotation when loaded with ``with_badges``, else
    asked for (a query or two: for single comments)."""
    if hasattr(comment, "author_badge"):
        return comment.author_badge
    if comment.user_id is None:
        return None
    return (
        with_badges(Comment.objects.filter(pk=comment.pk))
        .values_list("author_badge", flat=True)
        .first()
    )
