"""The desk's cards, each rendered once for every state of what it shows.

A page of a queue is 50 cards, and drawing them was nearly all of the desk's cost
(the comment, its attachments, flags, edit history, audit log and ban form: ~280 ms
for a page of the 500-pending bench queue). Each card's HTML is kept in the cache
under a digest of everything it is drawn from, as the queue's fixed queries loaded it
(``card_key``): the comment's row, its author, article, section and parent, its flags,
attachments, revisions and audit log (with the moderators named in it), plus the
card's templates and the language and time zone. Any change to any of these is a new
key, so a card is never stale and nothing has to be invalidated; keys nobody asks for
again expire after ``TIMEOUT``. A cache hit costs no query: everything the digest
reads is what the page loads anyway.

What differs per request is left as holes (``articles.cache.hole``), filled on every
serve: the CSRF token, the queue and page the desk shows (the forms' ``next``, the
author-history link, "only this article"), and the relative times ("5 minutes ago"),
which move with the clock.

Cards carry guest emails and IP addresses. They live under their own key prefix, are
written and read only here, and only the desk's views (moderators only) call this
module: no other page looks these keys up.
"""

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from articles.cache import fill_holes, hole, split_holes
from articles.times import time_ago
from staff.forms import BanForm

KEY_PREFIX = "staff:desk-card"
# Bump when Python that draws a card changes what it writes (a filter, a reason's
# wording, a URL); a change to the templates below makes new keys by itself.
FORMAT = 1
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
AGO_HOLE_PREFIX = "ago-"
# articles.times words a time this old as its date, for good.
WORDED_FOR_GOOD = timedelta(days=7)


# --- Keys --------------------------------------------------------------------------------
def _row(obj) -> tuple | None:
    """Every column of a row as loaded."""
    if obj is None:
        return None
    return tuple(getattr(obj, field.attname) for field in obj._meta.concrete_fields)


def _person(user) -> tuple | None:
    """What a card says of an account: its public name and email (and what they are
    made of)."""
    if user is None:
        return None
    return (user.pk, user.get_username(), user.display_name, user.email)


def card_fingerprint(comment) -> tuple:
    """Everything ``staff/_card.html`` draws the comment from, as the desk's queries
    loaded it (``queues.moderation_comments(lists=True)`` and
    ``staff.views._card_queryset``)."""
    article, parent = comment.article, comment.parent
    section = article.section
    return (
        _row(comment),
        getattr(comment, "current_stars", None),
        _person(comment.user),
        (article.pk, article.slug, article.title),
        (section.pk, section.name) if section is not None else None,
        parent
        and (
            parent.pk,
            parent.author_deleted,
            parent.user_id,
            parent.guest_name,
            parent.body_html,
            _person(parent.user),
        ),
        [_row(a) for a in comment.files],
        [_row(f) for f in comment.flag_list],
        [_row(r) for r in comment.revision_list],
        [(_row(row), _person(row.actor)) for row in comment.log_rows],
    )


def _environment() -> str:
    """What a card depends on besides its comment, as a digest: the card's templates (a
    deploy that changes them must not serve old markup), the language and the time
    zone."""
    parts = [get_template(name).template.source for name in TEMPLATES]
    parts += [str(FORMAT), translation.get_language(), timezone.get_current_timezone_name()]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def card_key(comment, environment: str | None = None) -> str:
    """The cache key of the card of ``comment`` as it is now (``environment``: what
    ``_environment()`` gives, computed once for a page of cards)."""
    text = repr(card_fingerprint(comment))
    digest = hashlib.sha256(f"{environment or _environment()}|{text}".encode()).hexdigest()
    return f"{KEY_PREFIX}:{digest}"


# --- Drawing and serving -------------------------------------------------------------------
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


def _get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001 - a cache outage must not take the desk down
        return {}


def _set_many(drawn: dict) -> None:
    try:
        cache.set_many(drawn, TIMEOUT)
    except Exception:  # noqa: BLE001, S110 - the cards were served; caching is a bonus
        pass


def _ago_values(names, now) -> dict[str, str]:
    """The wording of each relative time among these hole names. A name that is not one
    of ours (text can only carry a marker where NUL characters get in, which the forms
    and PostgreSQL refuse) is left out: ``fill_holes`` fills it with nothing."""
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


def render_cards(request, comments, *, queue: str, here: str) -> list[SafeString]:
    """The cards of ``comments`` (loaded by the desk's queue queries) as HTML, in
    order: from the cache where a card with the same fingerprint was drawn before,
    else drawn now (and kept); the holes filled for this request. Moderators only: the
    caller has checked."""
    environment = _environment()
    keyed = [(card_key(comment, environment), comment) for comment in comments]
    found = _get_many([key for key, _ in keyed])
    drawn = {key: _draw(comment) for key, comment in keyed if key not in found}
    if drawn:
        _set_many(drawn)
    now = timezone.now()
    values = {
        CSRF_HOLE: get_token(request),
        NEXT_HOLE: here,
        NEXT_QUERY_HOLE: quote(here),  # as the urlencode filter would
        QUEUE_HOLE: queue,
    }
    cards = []
    for key, _ in keyed:
        parts = found.get(key) or drawn[key]
        filled = fill_holes(parts, request, {**values, **_ago_values(parts[1::2], now)})
        cards.append(mark_safe(filled.decode()))  # noqa: S308 - our own rendered template
    return cards
