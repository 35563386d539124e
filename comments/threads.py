"""The read side of the comment section: a page of an article's threads, nested, in a
fixed number of queries; the copy of it shared by every reader of an article version;
everything ``comments/_section.html`` shows; and where a comment is (its page and
anchor). The ``comment_section`` template tag and the pages in ``comments.views`` read
from here.
"""

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import EmptyPage, InvalidPage, Paginator
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from articles import cache as page_cache
from articles import versions
from comments import conversation, fragments, readers, services, tokens
from comments.forms import comment_form_class
from comments.models import PATH_DIGITS, Comment
from ratings.services import readers_stars


def page_number(request) -> int:
    """The page of threads asked for (``?cpage=``), 1 when missing or not a number."""
    try:
        return max(1, int(request.GET.get("cpage", 1)))
    except (TypeError, ValueError):
        return 1


def last_page_bound(article) -> int:
    """At least the number of the article's last page of threads, from the count the
    article row carries (replies included, so never too small), without a query."""
    return max(1, math.ceil(article.comment_count / settings.COMMENTS_PAGE_SIZE))


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def can_post(article) -> bool:
    """Whether the form (and the Reply links) are offered: ``Article.accepting_comments``,
    which also closes comments by the clock. The threads' shared copy is keyed on it."""
    return article.accepting_comments


def page_query(page, ordering: str = conversation.DEFAULT_ORDERING) -> str:
    """The start of a query string that keeps the reader on this page of threads (in
    this order)."""
    query = ordering_query(ordering)
    return query + (f"cpage={page.number}&" if page and page.number > 1 else "")


def ordering_query(ordering: str) -> str:
    """``ordering=newest&`` for an order other than the default, else nothing."""
    return "" if ordering == conversation.DEFAULT_ORDERING else f"ordering={ordering}&"


# --- A page of threads -----------------------------------------------------------------------


def comment_threads(
    request,
    article,
    *,
    page_number: int,
    clamp: bool = True,
    for_viewer: bool = True,
    ordering: str = conversation.DEFAULT_ORDERING,
) -> dict:
    """One page of an article's public threads, nested, in a fixed number of queries:
    the count of threads, the page's roots, every public comment of those threads (with
    their files), and which of them the current voter liked. The viewer's own held
    comments are shown to them in place (``_own_pending``), in the same query.

    A comment that is not shown in full but has a shown reply under it, at any depth,
    keeps its place as a placeholder with nothing of its own: "[deleted]", or "awaiting
    moderation" for a comment held for review that is not the viewer's (it went back to
    review under readers' flags, say). Approved replies never vanish with an ancestor.

    ``clamp`` turns an out-of-range page into the nearest one (the full page) instead of
    an empty list (the "Load more" fragment). Without ``for_viewer`` nothing is editable
    and each like button's state is a hole (the shared copy ``_cached_threads`` keeps).

    ``ordering`` (``comments.conversation.ORDERINGS``) orders the threads by their
    top-level comment; replies stay oldest first under their parent.
    """
    own = _own_pending(request) if for_viewer else None
    page = _page_of_roots(article, page_number, clamp=clamp, ordering=ordering)
    where = Q()
    for path in page.object_list if page else []:
        # Paths are fixed-width, so a root's prefix matches only its own thread.
        where |= Q(path=path) | Q(path__startswith=path + "/")
    # The viewer's held new threads are the newest: they close the last page (open the
    # first, newest first).
    own_here = page is not None and (
        page.number == 1 if ordering == conversation.NEWEST else not page.has_next()
    )
    if own is not None and own_here:
        where |= own & Q(depth=0)
    if not where:
        return {"threads": [], "page": page, "shown": {}}
    comments = list(
        conversation.with_badges(
            Comment.objects.public_or(own).filter(where, article=article).for_page()
        )
    )
    liked = readers.liked(request, [c.pk for c in comments]) if for_viewer else set()
    notices = _notices(request) if for_viewer else {}
    token_of = (lambda pk: tokens.edit_token_from_request(request, pk)) if for_viewer else None
    # Shown in full: approved comments, and the viewer's own held ones (to them alone).
    in_full = {
        c.pk
        for c in comments
        if c.status == Comment.Status.APPROVED
        or (token_of is not None and c.is_pending and _is_own(c, request.user, token_of))
    }
    # Every comment above one shown in full stays in place (thread order is parents
    # first, so walking it backwards meets each reply before its parent).
    anchored = set()
    for comment in reversed(comments):
        if comment.pk in in_full or comment.pk in anchored:
            anchored.add(comment.parent_id)
    threads, shown = [], {}
    for comment in comments:
        # A reply under a comment that is no longer public has no place to hang.
        if comment.depth and comment.parent_id not in shown:
            continue
        if comment.pk not in in_full and comment.pk not in anchored:
            continue
        # Someone else's held comment (or a guest's whose token is not this viewer's).
        comment.held_placeholder = comment.pk not in in_full and not comment.is_deleted
        comment.replies = []
        comment.liked = comment.pk in liked
        comment.notices = notices.get(comment.pk, [])
        comment.flagged = any("flagged" in (m.extra_tags or "").split() for m in comment.notices)
        comment.like_hole = (
            None if for_viewer else page_cache.hole(fragments.like_hole_name(comment.pk))
        )
        comment.editable = (
            token_of is not None
            and not comment.is_placeholder
            and services.can_edit(comment=comment, user=request.user, token=token_of(comment.pk))
        )
        shown[comment.pk] = comment
        if comment.depth:
            shown[comment.parent_id].replies.append(comment)
        else:
            threads.append(comment)
    if ordering != conversation.OLDEST and page is not None:
        # Fetched in path order; shown in the roots' order, the viewer's held threads
        # (not among the page's roots) first.
        rank = {path: i for i, path in enumerate(page.object_list)}
        threads.sort(key=lambda root: rank.get(root.path, -1))
    return {"threads": threads, "page": page, "shown": shown}


def _is_own(comment: Comment, user, token_of) -> bool:
    """Whether the viewer wrote ``comment``: their account's, or a guest comment whose
    edit token they hold (the signed cookie names the id; the token proves it)."""
    if comment.user_id is not None:
        return user.is_authenticated and user.pk == comment.user_id
    return comment.token_matches(token_of(comment.pk))


def _own_pending(request) -> Q | None:
    """The viewer's own comments that wait for moderation: a signed-in reader's by
    account, a guest's by the comments their edit-token cookie names. None when they
    can have none (no query is changed then)."""
    user = request.user
    if user.is_authenticated:
        return Q(user=user, status__in=Comment.SHOWN_TO_AUTHOR_AS_PENDING)
    ids = tokens.remembered_ids(request)
    if not ids:
        return None
    return Q(pk__in=ids, user__isnull=True, status__in=Comment.SHOWN_TO_AUTHOR_AS_PENDING)


def _page_of_roots(article, number: int, *, clamp: bool, ordering: str):
    """The Paginator page of the article's top-level comments (their paths) in
    ``ordering``, or None for a page out of range when not ``clamp``ed."""
    roots = (
        Comment.objects.public()
        .filter(article=article, depth=0)
        .order_by(*conversation.root_order(ordering))
    )
    # Without an approved comment nothing is public (a "[deleted]" placeholder needs an
    # approved reply), so an empty section costs no query at all.
    if not article.comment_count:
        roots = roots.none()
    paginator = Paginator(roots.values_list("path", flat=True), settings.COMMENTS_PAGE_SIZE)
    try:
        return paginator.get_page(number) if clamp else paginator.page(number)
    except (EmptyPage, InvalidPage):
        return None


# --- Notices in place ----------------------------------------------------------------------
# A message about one comment ("Your reply has been posted.", "Thank you. A moderator
# will review this comment.") is shown next to that comment, not at the top of the page:
# its extra tags name the comment (and "flagged" turns its Flag link into "Flagged").
_NOTICE = "comment-"


def notice_tag(comment_id: int, *, flagged: bool = False) -> str:
    """The ``extra_tags`` of a message about one comment."""
    return f"{_NOTICE}{comment_id}" + (" flagged" if flagged else "")


def _notices(request) -> dict[int, list]:
    """{comment id: [messages about it]} among this request's messages (not consumed:
    ``base.html`` leaves these out of the page-top list)."""
    found: dict[int, list] = {}
    for message in messages.get_messages(request):
        for tag in (message.extra_tags or "").split():
            if tag.startswith(_NOTICE) and tag[len(_NOTICE) :].isdigit():
                found.setdefault(int(tag[len(_NOTICE) :]), []).append(message)
    return found


# --- The shared copy of a page of threads ----------------------------------------------------
@dataclass(frozen=True)
class _ThreadsPage:
    """What ``_section.html`` reads of a Paginator page, for a cached page of threads."""

    number: int

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def _threads_shareable(request, article) -> bool:
    """Whether this reader's page of threads is the neutral one apart from likes: they
    may edit none of the comments (no guest edit token, not a moderator, no comment of
    their own still in the edit window), have none held for moderation (shown to them
    alone) and reply to none from the URL. Asked once per request and article."""
    known = getattr(request, "_comments_shareable", {})
    if article.pk not in known:
        known[article.pk] = _decide_threads_shareable(request, article)
        request._comments_shareable = known
    return known[article.pk]


def _decide_threads_shareable(request, article) -> bool:
    if not _request_allows_sharing(request):
        return False
    user = request.user
    if not user.is_authenticated:
        return True
    return readers.reader_state(request, article) is not None


def _request_allows_sharing(request) -> bool:
    """What this request alone says: no notice shown in place, no guest edit token, no
    reply form opened from the URL, the threads cache on."""
    if not settings.COMMENTS_THREADS_CACHE_TIMEOUT or "replyto" in request.GET:
        return False
    if _notices(request):  # shown in place, next to their comments
        return False
    if request.headers.get("X-Comment-Token"):
        return False
    return not any(name.startswith("comment_edit_") for name in request.COOKIES)


def _cached_threads(
    request, article, *, page_number: int, can_post: bool, ordering: str
) -> dict | None:
    """The page of threads as ``comments/_threads.html`` renders it, from a copy shared by
    every reader for this article version, with the reader's likes and CSRF token put
    in its holes. None when the copy cannot be made right for this reader (then render
    it)."""
    if not _threads_shareable(request, article):
        return None
    key = "comments:threads:v3:" + page_cache.make_etag(
        versions.version_tag(article),
        page_number,
        ordering,
        can_post,
        settings.COMMENTS_PAGE_SIZE,
        settings.COMMENTS_MAX_DEPTH,
        page_cache.locale_tag(),
    )
    entry = cache.get(key)
    if entry is None:
        entry = _shared_threads(
            request, article, page_number=page_number, can_post=can_post, ordering=ordering
        )
        if entry is None:
            return None
        cache.set(key, entry, settings.COMMENTS_THREADS_CACHE_TIMEOUT)
    if page_cache.is_member_copy(request):
        # Left as holes in the page signed-in readers share (``readers.member_holes``).
        pressed = {
            fragments.like_hole_name(pk): page_cache.hole(fragments.like_hole_name(pk))
            for pk in entry["ids"]
        }
        page_cache.placed_holes(request, entry["html"].count("\x00hole:like-"))
    else:
        liked = (
            readers.liked(request, entry["ids"])
            if article.comment_count and entry["ids"]
            else set()
        )
        pressed = {
            fragments.like_hole_name(pk): "true" if pk in liked else "false" for pk in entry["ids"]
        }
    return {
        "threads_html": mark_safe(page_cache.fill_holes(entry["html"], request, pressed)),  # noqa: S308
        "page": _ThreadsPage(entry["page"]),
        "shown": {},
        "picks": entry["picks"],
    }


def _shared_threads(
    request, article, *, page_number: int, can_post: bool, ordering: str
) -> dict | None:
    """Render the neutral page of threads, its per-reader parts punched out as holes."""
    data = comment_threads(
        request, article, page_number=page_number, for_viewer=False, ordering=ordering
    )
    shown = data.pop("shown")
    page = data["page"]
    context = {
        **data,
        "article": article,
        "article_url": article.get_absolute_url(),
        "reply_to": None,
        "can_post": can_post,
        "page_query": page_query(page, ordering),
        "ordering_query": ordering_query(ordering),
        "full_page": True,
    }
    # One like button (and so one hole) per comment that is not a placeholder.
    liked_holes = sum(not comment.is_placeholder for comment in shown.values())
    # Assembled from each comment's fragment, the like buttons' state left as holes.
    context["thread_items"] = fragments.thread_items(
        request,
        data["threads"],
        can_post=can_post,
        page_query=context["page_query"],
        liked={pk: page_cache.hole(fragments.like_hole_name(pk)) for pk in shown},
    )
    html = page_cache.punch_holes(
        render_to_string("comments/_threads.html", context, request), placed=liked_holes
    )
    if html is None:
        return None
    # The newsroom's picks change only with a decision, which moves the version too.
    return {
        "html": html,
        "page": page.number,
        "ids": list(shown),
        "picks": conversation.picks(article),
    }


# --- The whole section ------------------------------------------------------------------------


def comment_section_context(request, article, *, form=None) -> dict:
    """Everything ``comments/_section.html`` shows (used by the ``comment_section`` tag)."""
    user = request.user
    number = page_number(request)
    ordering = conversation.ordering_from_request(request)
    data = None
    if form is None:
        data = _cached_threads(
            request,
            article,
            page_number=number,
            can_post=can_post(article),
            ordering=ordering,
        )
    if data is None:
        if page_cache.is_member_copy(request):
            # Only the shared threads leave the reader's likes as holes.
            page_cache.spoil_shared_copy(request)
        data = comment_threads(request, article, page_number=number, ordering=ordering)
    if form is None:
        form = comment_form_class(user)(ratings_enabled=article.ratings_enabled)
    # The form's stars are the page's one rating control: they show the reader's vote.
    rating_mine = readers_stars(request, article) if article.ratings_enabled else None
    if rating_mine and not form.is_bound:
        form.initial["rating"] = rating_mine
    reply_id = _int_or_none(form["parent"].value() if form.is_bound else request.GET.get("replyto"))
    reply_comment = data.pop("shown").get(reply_id)
    if reply_comment is not None and (reply_comment.is_placeholder or not can_post(article)):
        reply_comment = None
    if reply_comment is not None and not form.is_bound:
        form.initial["parent"] = reply_comment.pk
    if "threads_html" not in data and reply_comment is None and data["threads"]:
        # Assembled from each comment's cached fragment (the reply form opened under
        # a comment is drawn with the whole section: then the threads are too).
        data["thread_items"] = fragments.thread_items(
            request,
            data["threads"],
            can_post=can_post(article),
            page_query=page_query(data["page"], ordering),
        )
    article_url = article.get_absolute_url()
    return {
        **data,
        "request": request,
        "user": user,
        "article": article,
        "article_url": article_url,
        "form": form,
        "rating_mine": rating_mine,
        "reply_to": reply_comment.pk if reply_comment else None,
        "reply_comment": reply_comment,
        "can_post": can_post(article),
        # The close / reopen form under the section (``comments.closing``).
        "can_close": services.can_moderate(user),
        # The skeleton comments.js fills in for a comment posted without a reload.
        "template_comment": _template_comment(),
        "following": (
            user.is_authenticated
            and not page_cache.is_member_copy(request)
            and readers.following(request, article)
        ),
        "next_for_login": f"{article_url}#comments",
        "page_query": page_query(data["page"], ordering),
        "ordering_query": ordering_query(ordering),
        "ordering": ordering,
        "orderings": _ordering_links(article, ordering),
        # Shown above the threads: one query, none when the shared copy brought them.
        "picks": data["picks"] if "picks" in data else conversation.picks(article),
    }


# --- The page plain signed-in readers share (``articles.cache``) ------------------------------
def member_check(request, article) -> bool:
    """A signed-in reader sees the shared copy of the page (with their own likes, stars,
    name and follow in its holes) only when their page of threads is the shared one."""
    return _threads_shareable(request, article)


def _ordering_links(article, chosen: str) -> list[dict]:
    """The "Oldest · Newest · Most liked" links: each remembers the choice (a cookie)
    and lands on the first page of threads in that order (``comments.views``)."""
    labels = {
        conversation.OLDEST: _("Oldest"),
        conversation.NEWEST: _("Newest"),
        conversation.TOP: _("Most liked"),
    }
    url = reverse("comments:ordering", args=[article.slug])
    return [
        {
            "value": value,
            "label": labels[value],
            "url": f"{url}?{urlencode({'ordering': value})}",
            "current": value == chosen,
        }
        for value in conversation.ORDERINGS
    ]


def _template_comment() -> Comment:
    comment = Comment(pk=0, guest_name="", body_html="", created_at=timezone.now())
    comment.liked, comment.like_hole, comment.editable, comment.replies = False, None, True, []
    comment.notices, comment.flagged = [], False
    # As ``for_page`` loads them: the skeleton has no attachments, and asking would
    # cost a query.
    comment.attachment_list = []
    return comment


# --- Where a comment is -----------------------------------------------------------------------


def comment_url(comment: Comment, ordering: str = conversation.DEFAULT_ORDERING) -> str:
    """The comment's anchor on the page of threads that holds it, with the threads in
    ``ordering`` (a reader who chose another order lands where the comment is in it)."""
    root_path = comment.path[:PATH_DIGITS]
    roots = Comment.objects.public().filter(article_id=comment.article_id, depth=0)
    if ordering == conversation.OLDEST:
        before = roots.filter(path__lte=root_path).count()
    else:
        root = (
            comment
            if not comment.depth
            else Comment.objects.get(article_id=comment.article_id, path=root_path)
        )
        same_time = Q(created_at=root.created_at)
        if ordering == conversation.NEWEST:
            up_to = Q(created_at__gt=root.created_at) | (same_time & Q(pk__gte=root.pk))
        else:
            same_likes = Q(like_count=root.like_count)
            up_to = (
                Q(like_count__gt=root.like_count)
                | (same_likes & Q(created_at__lt=root.created_at))
                | (same_likes & same_time & Q(pk__lte=root.pk))
            )
        before = roots.filter(up_to).count()
    page = max(1, math.ceil(before / settings.COMMENTS_PAGE_SIZE))
    params = {} if ordering == conversation.DEFAULT_ORDERING else {"ordering": ordering}
    if page > 1:
        params["cpage"] = page
    query = f"?{urlencode(params)}" if params else ""
    return f"{comment.article.get_absolute_url()}{query}#c{comment.pk}"
