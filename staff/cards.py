"""The desk's cards, each rendered once for every state of what it shows.

A page of a queue is 50 cards, and drawing them was nearly all of the desk's cost
(the comment, its attachments, flags, edit history, audit log and ban form: ~280 ms
for a page of the 500-pending bench queue). Each card's HTML is kept in the cache
under a digest of everything it is drawn from, which the database computes from the
page's ids in two fixed queries (``card_keys``): the comment's row, its author,
article, section and parent, its flags, attachments, revisions and audit log (with the
moderators named in it), plus the card's templates and the language and time zone. Any
change to any of these is a new key, so a card is never stale and nothing has to be
invalidated; keys nobody asks for again expire after ``TIMEOUT``. Only the comments
whose card is not in the cache are loaded (``render_cards``'s ``load``), in the desk's
fixed queries.

What differs per request is left as holes (``articles.cache.hole``), filled on every
serve: the CSRF token, the queue and page the desk shows (the forms' ``next``, the
author-history link, "only this article"), and the relative times ("5 minutes ago"),
which move with the clock.

Cards carry guest emails and IP addresses. They live under their own key prefix, are
written and read only here, and only the desk's views (moderators only) call this
module: no other page looks these keys up.
"""

import functools
import hashlib
from collections.abc import Callable
from urllib.parse import quote

from django.core.cache import cache  # noqa: F401 - where the cards are kept (via comments.fragments)
from django.db import connection
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from articles.cache import fill_holes, hole, split_holes
from comments.fragments import ago_hole, ago_values, get_many, set_many, templates_digest
from staff.forms import BanForm

# The relative-time holes, as the article page's comment fragments make them.
__all__ = ["ago_hole", "ago_values", "card_keys", "render_cards"]

KEY_PREFIX = "staff:desk-card"
# Bump when Python that draws a card changes what it writes (a filter, a reason's
# wording, a URL); a change to the templates below makes new keys by itself.
FORMAT = 2
TEMPLATE = "staff/_card.html"
# Every template a card is drawn from: their source is part of each key.
TEMPLATES = (TEMPLATE, "staff/_ban_form.html", "comments/_attachment.html")
# Seconds a card is kept after it was drawn. Keys never go stale (any change makes a
# new one): this only bounds how long a card nobody asks for again takes space.
TIMEOUT = 60 * 60

# The holes a card is drawn with.
CSRF_HOLE = "csrfmiddlewaretoken"  # as articles.cache names it: {% csrf_token %}'s input
NEXT_HOLE = "next"
NEXT_QUERY_HOLE = "next-q"
QUEUE_HOLE = "queue"


# --- Keys --------------------------------------------------------------------------------
# A card's key is a digest of the rows it is drawn from, computed by the database in two
# fixed statements (``_statements``) from the comments' ids alone: loading 50 comments
# with their article, section, author and parent as model instances costs the desk more
# than drawing them once did, and a page served from the cache needs none of them.
#   - the comment's row, every column (likes, flags, status, body, location, reasons…);
#   - what the card shows of its author, article, section and parent (not all their
#     columns: an article's counters move with every comment posted to it);
#   - the stars its voter gives the article now (``Comment.for_page``'s current_stars);
#   - each of its attachments, flags, revisions and audit log rows (with the moderator's
#     name), every column: flags are cleared in place.
# Anything ``staff/_card.html`` reads that is not in these must be added here.
_PERSON = ("id", "username", "display_name", "email")
_SEPARATOR = "\x1f"


def _text(alias: str, columns) -> str:
    """SQL for the columns of ``alias`` as one text, NULL told apart from '' (the same
    statement on PostgreSQL and SQLite: MD5, COALESCE, CAST and || are on both)."""
    quote = connection.ops.quote_name
    parts = [f"COALESCE('=' || CAST({alias}.{quote(column)} AS TEXT), '-')" for column in columns]
    return f" || '{_SEPARATOR}' || ".join(parts)


def _columns(model, names=None) -> list[str]:
    fields = model._meta.concrete_fields
    return [f.column for f in fields if names is None or f.attname in names or f.name in names]


# The statements below are made of table and column names from the models' own
# definitions, quoted by the backend; the ids are always passed as parameters.
@functools.cache
def _statements(vendor: str) -> tuple[str, str, int]:
    """The two statements (by the database's vendor: quoting differs), each taking the
    ids as ``IN ({ids})``: one digest per comment of its row and what it draws from its
    neighbours, and one per row of its four lists."""
    from accounts.models import User
    from articles.models import Article, Section
    from comments.models import Attachment, Comment, CommentFlag, CommentRevision, ModerationLog
    from ratings.models import Vote

    quote = connection.ops.quote_name
    table = {model: quote(model._meta.db_table) for model in (User, Article, Section, Comment)}
    vote = Vote._meta
    stars = (
        f"(SELECT v.{quote('stars')} FROM {quote(vote.db_table)} v"  # noqa: S608
        f" WHERE v.{quote('article_id')} = c.{quote('article_id')}"
        f" AND v.{quote('voter')} = c.{quote('rating_voter')} LIMIT 1)"
    )
    parent = ("id", "author_deleted", "user_id", "guest_name", "body_html")
    digest = f" || '{_SEPARATOR}' || ".join(
        [
            _text("c", _columns(Comment)),
            _text("u", _PERSON),
            _text("a", ("id", "slug", "title")),
            _text("s", ("id", "name")),
            _text("p", _columns(Comment, parent)),
            _text("pu", _PERSON),
            f"COALESCE('=' || CAST({stars} AS TEXT), '-')",
        ]
    )
    comments = (
        f"SELECT c.{quote('id')}, MD5({digest}) FROM {table[Comment]} c"  # noqa: S608
        f" LEFT JOIN {table[User]} u ON u.{quote('id')} = c.{quote('user_id')}"
        f" LEFT JOIN {table[Article]} a ON a.{quote('id')} = c.{quote('article_id')}"
        f" LEFT JOIN {table[Section]} s ON s.{quote('id')} = a.{quote('section_id')}"
        f" LEFT JOIN {table[Comment]} p ON p.{quote('id')} = c.{quote('parent_id')}"
        f" LEFT JOIN {table[User]} pu ON pu.{quote('id')} = p.{quote('user_id')}"
        f" WHERE c.{quote('id')} IN ({{ids}})"
    )
    lists = []
    for kind, model in enumerate((Attachment, CommentFlag, CommentRevision, ModerationLog)):
        text, join = _text("t", _columns(model)), ""
        if model is ModerationLog:
            text += f" || '{_SEPARATOR}' || " + _text("u", _PERSON)
            join = f" LEFT JOIN {table[User]} u ON u.{quote('id')} = t.{quote('actor_id')}"
        lists.append(
            f"SELECT {kind}, t.{quote('comment_id')}, t.{quote('id')}, MD5({text})"  # noqa: S608
            f" FROM {quote(model._meta.db_table)} t{join}"
            f" WHERE t.{quote('comment_id')} IN ({{ids}})"
        )
    return comments, " UNION ALL ".join(lists) + " ORDER BY 1, 3", len(lists)


def _environment() -> str:
    """What a card depends on besides its rows, as a digest: the card's templates (a
    deploy that changes them must not serve old markup), the language and the time
    zone."""
    return templates_digest(TEMPLATES, str(FORMAT))


def card_keys(ids: list[int]) -> dict[int, str]:
    """The cache key of the card of each comment of ``ids`` as it is now, in two
    queries (a comment that no longer exists has none)."""
    if not ids:
        return {}
    comments_sql, lists_sql, lists = _statements(connection.vendor)
    placeholders = ", ".join(["%s"] * len(ids))
    parts: dict[int, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(comments_sql.format(ids=placeholders), ids)
        for pk, digest in cursor.fetchall():
            parts[pk] = [digest]
        cursor.execute(lists_sql.format(ids=placeholders), ids * lists)
        for kind, comment_id, pk, digest in cursor.fetchall():
            if comment_id in parts:
                parts[comment_id].append(f"{kind}:{pk}:{digest}")
    environment = _environment()
    keys = {}
    for pk, digests in parts.items():
        text = "|".join([environment, str(pk), *digests])
        keys[pk] = f"{KEY_PREFIX}:{hashlib.sha256(text.encode()).hexdigest()}"
    return keys


# --- Drawing and serving -------------------------------------------------------------------
def _draw(comment) -> list[bytes]:
    """One card with holes for everything per request, split for ``fill_holes``."""
    comment.ban_form = BanForm(comment=comment, auto_id=f"ban-{comment.pk}-%s")
    html = get_template(TEMPLATE).render(
        {
            "comment": comment,
            "csrf_token": hole(CSRF_HOLE),
            "here": hole(NEXT_HOLE),
            "here_query": hole(NEXT_QUERY_HOLE),
            "queue": hole(QUEUE_HOLE),
        }
    )
    return split_holes(html)


def render_cards(
    request, ids: list[int], *, load: Callable[[list[int]], dict], queue: str, here: str
) -> list[SafeString]:
    """The cards of the comments ``ids`` as HTML, in order: from the cache where a card
    with the same key was drawn before, else drawn now (and kept) from the comments
    ``load(missing ids)`` gives (``{id: comment}``, as the desk's queue loads them);
    the holes filled for this request. Moderators only: the caller has checked."""
    keys = card_keys(ids)
    ids = [pk for pk in ids if pk in keys]  # a comment deleted meanwhile has no card
    found = get_many([keys[pk] for pk in ids])
    missing = [pk for pk in ids if keys[pk] not in found]
    drawn = {}
    if missing:
        loaded = load(missing)
        drawn = {keys[pk]: _draw(loaded[pk]) for pk in missing if pk in loaded}
        set_many(drawn, TIMEOUT)
    now = timezone.now()
    values = {
        CSRF_HOLE: get_token(request),
        NEXT_HOLE: here,
        NEXT_QUERY_HOLE: quote(here),  # as the urlencode filter would
        QUEUE_HOLE: queue,
    }
    cards = []
    for pk in ids:
        parts = found.get(keys[pk]) or drawn.get(keys[pk])
        if parts is None:
            continue
        filled = fill_holes(parts, request, {**values, **ago_values(parts[1::2], now)})
        cards.append(mark_safe(filled.decode()))  # noqa: S308 - our own rendered template
    return cards
