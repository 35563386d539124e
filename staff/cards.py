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
from urllib.parse import quote

from django.core.cache import cache  # noqa: F401 - where the cards are kept (via comments.fragments)
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from articles.cache import fill_holes, hole, split_holes
from comments.fragments import ago_hole, ago_values, get_many, row, set_many, templates_digest
from staff.forms import BanForm

# The relative-time holes, as the article page's comment fragments make them.
__all__ = ["ago_hole", "card_fingerprint", "card_key", "render_cards"]
_ago_values = ago_values
_row = row

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


# --- Keys --------------------------------------------------------------------------------
def _person(user) -> tuple | None:
    """What a card says of an account: its public name and email (and what they are
    made of)."""
    if user is None:
        return None
    return (user.pk, user.get_username(), user.display_name, user.email)


def card_fingerprint(comment) -> tuple:
    """Everything ``staff/_card.html`` draws the comment from, as the desk's queries
    loaded it (``queues.moderation_comments(lists=True)`` and
    ``queues.attach_card_lists``)."""
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
    return templates_digest(TEMPLATES, str(FORMAT))


def card_key(comment, environment: str | None = None) -> str:
    """The cache key of the card of ``comment`` as it is now (``environment``: what
    ``_environment()`` gives, computed once for a page of cards)."""
    text = repr(card_fingerprint(comment))
    digest = hashlib.sha256(f"{environment or _environment()}|{text}".encode()).hexdigest()
    return f"{KEY_PREFIX}:{digest}"


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


def render_cards(request, comments, *, queue: str, here: str) -> list[SafeString]:
    """The cards of ``comments`` (loaded by the desk's queue queries) as HTML, in
    order: from the cache where a card with the same fingerprint was drawn before,
    else drawn now (and kept); the holes filled for this request. Moderators only: the
    caller has checked."""
    environment = _environment()
    keyed = [(card_key(comment, environment), comment) for comment in comments]
    found = get_many([key for key, _ in keyed])
    drawn = {key: _draw(comment) for key, comment in keyed if key not in found}
    if drawn:
        set_many(drawn, TIMEOUT)
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
        filled = fill_holes(parts, request, {**values, **ago_values(parts[1::2], now)})
        cards.append(mark_safe(filled.decode()))  # noqa: S308 - our own rendered template
    return cards
