"""The article page's comments, each rendered once for every state of what it shows.

Drawing ``comments/_comment.html`` 200 times was nearly all of an uncached article
page's cost, and every signed-in reader paid it (the shared copy of the threads in
``comments.threads`` is only for readers who can edit nothing). Each comment's HTML
(without its replies) is kept in the cache under a digest of everything it is drawn
from, as the page's fixed queries loaded it (``fragment_key``): the comment's row (body,
status, edit state, likes count, location, rating, pick), its current stars, its
author's public name and badge, its attachments, whether it is a placeholder, and what
this reader may do with it that changes its markup (Edit/Delete, Reply while the
thread is open, "Flagged"); plus the templates, the language and the time zone. Any
change to any of these is a new key, so a fragment is never stale and nothing has to
be invalidated; keys nobody asks for again expire after ``TIMEOUT``. A hit costs no
query: the digest reads only what the page loads anyway.

What differs per reader is left as holes (``articles.cache.hole``) filled on every
serve: whether the reader's like is pressed, the CSRF token, the page the Reply link
keeps them on, and the relative times ("5 minutes ago"), which move with the clock.
The Edit/Delete links are in the key instead: a fragment with them is only ever served
to a reader who may edit that comment. A comment with a notice about it ("Your reply
has been posted.") is drawn for that request alone.

The helpers for keys and relative-time holes are shared with the moderation desk's
cards (``staff.cards``).
"""

import hashlib
import re
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from articles.cache import fill_holes, hole, locale_tag, split_holes
from articles.times import time_ago

KEY_PREFIX = "comments:fragment"
# Bump when Python that draws a fragment changes what it writes; a change to the
# templates below makes new keys by itself.
FORMAT = 1
TEMPLATE = "comments/_comment.html"
TEMPLATES = (TEMPLATE, "comments/_attachment.html")
# Seconds a fragment is kept after it was drawn (keys never go stale: this only
# bounds how long one nobody asks for again takes space).
TIMEOUT = 60 * 60

CSRF_HOLE = "csrfmiddlewaretoken"  # as articles.cache names it: {% csrf_token %}'s input
PAGE_QUERY_HOLE = "page-query"
LIKE_HOLE_PREFIX = "like-"
AGO_HOLE_PREFIX = "ago-"
# articles.times words a time this old as its date, for good.
WORDED_FOR_GOOD = timedelta(days=7)
# Where the body goes while the drawn markup's indentation is taken out.
_BODY = "\x00body\x00"
_BODY_BYTES = _BODY.encode()
_INDENT = re.compile(r"\n\s+")


# --- Shared with staff.cards --------------------------------------------------------------
def row(obj) -> tuple | None:
    """Every column of a row as loaded."""
    if obj is None:
        return None
    return tuple(getattr(obj, field.attname) for field in obj._meta.concrete_fields)


def templates_digest(templates, *extra: str) -> str:
    """A digest of the source of ``templates`` (a deploy that changes them must not serve
    old markup), the language, the time zone and ``extra``."""
    parts = [get_template(name).template.source for name in templates]
    parts += [*extra, locale_tag()]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001 - a cache outage must not take pages down
        return {}


def set_many(drawn: dict, timeout: int) -> None:
    try:
        cache.set_many(drawn, timeout)
    except Exception:  # noqa: BLE001, S110 - the page was served; caching is a bonus
        pass


def ago_hole(value) -> str:
    """A hole for "5 minutes ago" of ``value``, named by the time itself so that serving
    can word it again without knowing where it came from; a time a week old or more is
    the date (``articles.times``), which no longer changes, and is written as it is."""
    if not value:
        return ""
    if timezone.now() - value >= WORDED_FOR_GOOD:
        return time_ago(value)
    micros = int(value.timestamp() * 1_000_000)
    return hole(f"{AGO_HOLE_PREFIX}{micros}")


def ago_values(names, now) -> dict[str, str]:
    """The wording of each relative time among these hole names (bytes). A name that is
    not one of ours is left out: ``fill_holes`` fills it with nothing."""
    values = {}
    for name in names:
        text = name.decode()
        micros = text.removeprefix(AGO_HOLE_PREFIX)
        if micros == text or not micros.isdigit():
            continue
        try:
            when = datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            continue
        values[text] = time_ago(when, now)
    return values


# --- Keys ---------------------------------------------------------------------------------
def fingerprint(comment, *, can_post: bool) -> tuple:
    """Everything ``comments/_comment.html`` draws ``comment`` from, as
    ``comments.threads.comment_threads`` loaded it, and what this reader may do with it
    that changes its markup."""
    user = comment.user if comment.user_id else None
    return (
        row(comment),
        getattr(comment, "current_stars", None),
        user and (user.pk, user.public_name),
        getattr(comment, "author_badge", None),
        [row(a) for a in comment.files],
        bool(comment.held_placeholder),
        bool(comment.editable),
        bool(comment.flagged),
        bool(can_post),
    )


def environment() -> str:
    return templates_digest(TEMPLATES, str(FORMAT))


def fragment_key(comment, *, can_post: bool, env: str | None = None) -> str:
    text = repr(fingerprint(comment, can_post=can_post))
    digest = hashlib.sha256(f"{env or environment()}|{text}".encode()).hexdigest()
    return f"{KEY_PREFIX}:{digest}"


# --- Drawing and serving ------------------------------------------------------------------
def like_hole_name(comment_id: int) -> str:
    return f"{LIKE_HOLE_PREFIX}{comment_id}"


def _draw(comment, *, can_post: bool) -> list[bytes]:
    """One comment (no replies), its per-reader parts as holes, split for
    ``fill_holes``; its markup's indentation taken out (never the body's)."""
    body, like = comment.body_html, getattr(comment, "like_hole", None)
    comment.like_hole = hole(like_hole_name(comment.pk))
    comment.ago_hole = ago_hole(comment.created_at)
    comment.body_html = _BODY
    try:
        html = get_template(TEMPLATE).render(
            {
                "comment": comment,
                "can_post": can_post,
                "page_query": hole(PAGE_QUERY_HOLE),
                "csrf_token": hole(CSRF_HOLE),
            }
        )
    finally:
        comment.body_html, comment.like_hole, comment.ago_hole = body, like, None
    # Split before the body goes in: nothing in a comment's text is ever a hole.
    parts = split_holes(_INDENT.sub("\n", html).strip())
    body_bytes = (body or "").encode()
    parts[::2] = [part.replace(_BODY_BYTES, body_bytes) for part in parts[::2]]
    return parts


def _walk(threads):
    for comment in threads:
        yield comment
        yield from _walk(comment.replies)


def thread_items(
    request, threads, *, can_post: bool, page_query: str, liked: dict | None = None
) -> SafeString:
    """The ``<li>`` of every thread on the page (as ``comments/_thread.html`` draws them,
    with no reply form open), assembled from cached fragments, the holes filled for this
    request. ``liked`` gives each like hole's value (a shared copy keeps them as holes);
    by default it is the reader's own ``comment.liked``."""
    env = environment()
    comments = list(_walk(threads))
    keyed = {}
    for comment in comments:
        if not comment.notices:
            keyed[comment.pk] = fragment_key(comment, can_post=can_post, env=env)
    found = get_many(list(set(keyed.values())))
    drawn = {}
    for comment in comments:
        key = keyed.get(comment.pk)
        if key is not None and key not in found and key not in drawn:
            drawn[key] = _draw(comment, can_post=can_post)
    if drawn:
        set_many(drawn, TIMEOUT)
    now = timezone.now()
    values = {CSRF_HOLE: get_token(request), PAGE_QUERY_HOLE: page_query}
    out: list[bytes] = []

    def piece(comment) -> None:
        key = keyed.get(comment.pk)
        if key is None:  # a notice in place: for this request only
            parts = _draw_with_notices(comment, can_post=can_post)
        else:
            parts = found.get(key) or drawn[key]
        mine = {**values, **ago_values(parts[1::2], now)}
        name = like_hole_name(comment.pk)
        if liked is not None:
            mine[name] = liked.get(comment.pk, "false")
        else:
            mine[name] = "true" if comment.liked else "false"
        out.append(b'<li class="comment-thread">')
        out.append(fill_holes(parts, request, mine))
        if comment.replies:
            out.append(b'<ol class="comment-replies">')
            for reply in comment.replies:
                piece(reply)
            out.append(b"</ol>")
        out.append(b"</li>")

    for root in threads:
        piece(root)
    return mark_safe(b"".join(out).decode())  # noqa: S308 - our own rendered templates


def _draw_with_notices(comment, *, can_post: bool) -> list[bytes]:
    """A comment with notices in place (not kept: they are this request's)."""
    return _draw(comment, can_post=can_post)
