"""Caching the article page for anonymous and plain signed-in readers.

Copies are keyed on the article's engagement version (``articles.versions``), which
every change readers could see under an article moves, so the next page view misses
the old key. Keys still expire after
``ARTICLES_PAGE_CACHE_TIMEOUT`` seconds, for what changes with the clock alone ("5
minutes ago", the sidebar's other articles).

A cached page is shared by every "plain" reader, so it must carry nothing of the
reader who happened to render it: see ``page_cacheable`` for who gets it, and
``punch_holes`` / ``fill_holes`` for the per-request values (the CSRF token, a form's
one-time keys) swapped in on every serve.
"""

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.html import conditional_escape, escape
from django.utils.http import http_date
from django.utils.safestring import mark_safe

from articles.versions import version_tag

# Set by articles.voters.VoterCookieMiddleware on a client's first successful write
# (a comment, a vote, a like, a flag...): from then on it sees its own state rendered
# live instead of the shared page.
ENGAGED_COOKIE = "engaged"
# Cookies whose presence means the page may differ for this client: a session (signed
# in, or messages kept in the session), flash messages, a guest's edit tokens.
_PERSONAL_COOKIE_PREFIXES = ("comment_edit_",)

KEY_PREFIX = "articles:page"


# --- Who may get the shared page ---------------------------------------------------------
def page_cache_timeout() -> int:
    return settings.ARTICLES_PAGE_CACHE_TIMEOUT


def page_cacheable(request) -> bool:
    """Whether this request may be answered with (and fill) the shared anonymous page:
    GET/HEAD, no session (so not signed in, no messages kept in it), no flash messages,
    no guest edit token (cookie or ``X-Comment-Token`` header), no credentials and no
    marker of an earlier write by this client.

    Decided from cookies and headers alone, so a cached answer costs no session lookup.
    A page rendered to be shared is drawn as a neutral reader (``is_shared_copy``).
    """
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or ENGAGED_COOKIE in cookies:
        return False
    return _impersonal_request(request)


def _impersonal_request(request) -> bool:
    """GET/HEAD with the page cache on, no flash messages in a cookie, no guest edit
    token, no credentials, and a query string of the page number and variants only."""
    if request.method not in ("GET", "HEAD") or not page_cache_timeout():
        return False
    cookies = request.COOKIES
    if "messages" in cookies:  # django.contrib.messages' CookieStorage
        return False
    if any(name.startswith(_PERSONAL_COOKIE_PREFIXES) for name in cookies):
        return False
    if any(request.headers.get(name) for name in _PERSONAL_HEADERS):
        return False
    # The query string takes part in what is rendered (the login link's "next", the
    # page of threads): only the page number and the registered variants (with one of
    # their values) are allowed, so that random parameters cannot fill the cache.
    for name in request.GET:
        if name == "cpage":
            continue
        variant = _VARIANTS.get(name)
        values = request.GET.getlist(name)
        if variant is None or len(values) != 1 or values[0] not in variant[0]:
            return False
    pages = request.GET.getlist("cpage")
    return not pages or (len(pages) == 1 and _ASCII_PAGE.fullmatch(pages[0]) is not None)


# Query parameters that choose a variant of the page (the comments' order): name ->
# (allowed values, the first being the default; the cookie remembering the reader's
# choice, or None). Apps register theirs in ``ready()``.
_VARIANTS: dict[str, tuple[tuple[str, ...], str | None]] = {}


def register_page_variant(name: str, *, values: Iterable[str], cookie: str | None = None):
    """Let ``?name=value`` (one of ``values``, the first the default) choose a variant of
    the shared page, also chosen by the ``cookie`` when the query does not name one:
    each variant is a key of its own (``page_key``)."""
    _VARIANTS[name] = (tuple(values), cookie)


def page_variants(request) -> list[str]:
    """The variant this request is rendered in, one value per registered parameter: the
    query's when valid, else the cookie's when valid, else the default (what the page
    itself shows for a bad value)."""
    chosen = []
    for name, (values, cookie) in sorted(_VARIANTS.items()):
        value = request.GET.get(name)
        if value not in values and cookie:
            value = request.COOKIES.get(cookie)
        chosen.append(f"{name}={value if value in values else values[0]}")
    return chosen


# Headers that make a page the sender's own: a guest's edit token (Edit/Delete links),
# credentials of any kind.
_PERSONAL_HEADERS = ("X-Comment-Token", "Authorization")
# ``str.isdigit`` also accepts "²" and "٣": the page number is ASCII digits only.
_ASCII_PAGE = re.compile(r"[0-9]{1,6}")
_SHARED_COPY = "_articles_shared_copy"


def mark_shared_copy(request) -> None:
    """This request renders the copy every plain reader will be served."""
    setattr(request, _SHARED_COPY, True)


def is_shared_copy(request) -> bool:
    """Whether what is being rendered will be shared: then it must show nothing of this
    reader's own (their vote, their likes) — every served copy is a neutral reader's."""
    return getattr(request, _SHARED_COPY, False)


# --- The signed-in readers' copy ----------------------------------------------------------
# Signed-in readers who may change nothing on the page but their own likes, vote and
# follow share a second copy of it, drawn as a neutral *signed-in* reader: what is
# theirs (their name, likes, stars, whether they follow the conversation) is written as
# holes (``personal``), filled for each reader from a few small queries that the apps
# above register (``register_member_check``, ``register_reader_values``). Anyone who
# could see more (staff, moderators, an author whose comment is still editable or held,
# flash messages) gets the page rendered for them alone.
MEMBER = "member"
_MEMBER_COPY = "_articles_member_copy"
_PLACED = "_articles_placed_holes"
_SPOILED = "_articles_spoiled_copy"
_MEMBER_CHECKS: list[Callable] = []
_READER_VALUES: list[Callable] = []


def register_member_check(check: Callable) -> None:
    """``check(request, article) -> bool``: whether this signed-in reader's page is the
    signed-in copy plus their holes (False: they see something of their own that the
    copy does not leave a hole for). Apps call this in ``ready()``."""
    _MEMBER_CHECKS.append(check)


def register_reader_values(values: Callable) -> None:
    """``values(request, article, names) -> dict``: this reader's value of each hole
    among ``names`` (the copy's hole names) that the app wrote with ``personal``."""
    _READER_VALUES.append(values)


def member_cacheable(request, article) -> bool:
    """Whether this request may be answered with (and fill) the signed-in readers' copy:
    a signed-in reader who is not staff, with nothing of their own on the page that the
    copy leaves no hole for (the registered checks), as ``page_cacheable`` otherwise.
    Costs the session and the user, which a signed-in page loads anyway."""
    if not _impersonal_request(request):
        return False
    user = request.user
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return False
    # django.contrib.messages keeps what does not fit in its cookie in the session.
    if request.session.get("_messages"):
        return False
    return all(check(request, article) for check in _MEMBER_CHECKS)


def reader_values(request, article, names: Iterable[str]) -> dict[str, str]:
    """This reader's value of each of the copy's holes (``names``)."""
    names = set(names)
    values = {"reader-name": request.user.get_short_name() or request.user.get_username()}
    for make in _READER_VALUES:
        values.update(make(request, article, names))
    return values


def mark_member_copy(request) -> None:
    """This request renders the copy every plain signed-in reader will be served."""
    mark_shared_copy(request)
    setattr(request, _MEMBER_COPY, True)


def is_member_copy(request) -> bool:
    return getattr(request, _MEMBER_COPY, False)


def personal(request, name: str, value) -> str:
    """``value`` (escaped), or in the signed-in readers' copy a hole named ``name`` that
    ``reader_values`` fills for each reader: where a page shows something of the
    signed-in reader's own."""
    if is_member_copy(request):
        placed_holes(request, 1)
        return hole(name)
    return conditional_escape(value)


def placed_holes(request, more: int = 0) -> int:
    """How many ``hole()`` markers this render placed (``punch_holes``'s ``placed``)."""
    count = getattr(request, _PLACED, 0) + more
    setattr(request, _PLACED, count)
    return count


def spoil_shared_copy(request) -> None:
    """Something in this render is the reader's own with no hole for it: the page must
    not be shared (nor served from the copy's holes)."""
    setattr(request, _SPOILED, True)


def is_spoiled(request) -> bool:
    return getattr(request, _SPOILED, False)


def unmark_shared_copy(request) -> None:
    """Render this request for its reader alone after all."""
    for name in (_SHARED_COPY, _MEMBER_COPY, _PLACED, _SPOILED):
        if hasattr(request, name):
            delattr(request, name)


def _last_page(article) -> int:
    return 1 << 30


_page_bound: Callable = _last_page


def register_page_bound(last_page: Callable) -> None:
    """``last_page(article)`` is at least the number of the article's last page of
    threads (the comments app knows its page size): larger page numbers render that
    page and share its key, so that ``?cpage=999999`` cannot add a copy."""
    global _page_bound
    _page_bound = last_page


def page_number(request, article) -> int:
    """The page of threads a cacheable request asks for, as the key counts it: "01",
    "1" and no page are one page; past the last page is the last page."""
    value = request.GET.get("cpage", "")
    number = int(value) if _ASCII_PAGE.fullmatch(value) else 1
    return max(1, min(number, _page_bound(article)))


def locale_tag() -> str:
    """The language and time zone a page is drawn in: part of every cache key and ETag
    of rendered text, so that a copy drawn for one reader's language (or zone) is never
    served to a reader of another."""
    return f"{translation.get_language() or ''}|{timezone.get_current_timezone_name()}"


def page_key(request, article, *, reader: str = "") -> str:
    """The shared page's key: the article's version and its slot (``page_slot``)."""
    return _version_key_of(version_tag(article), page_slot(request, article, reader=reader))


def _version_key_of(tag: str, slot: str) -> str:
    return f"{KEY_PREFIX}:{hashlib.sha256(f'{tag}|{slot}'.encode()).hexdigest()}"


def page_slot(request, article, *, reader: str = "") -> str:
    """What the shared page is drawn from besides the article's version: the host and
    scheme (absolute links are built from them), the page of threads and its variant
    (the order of the threads, from the query or the reader's cookie), who it is for
    (anonymous or signed-in readers), and the language and time zone (``locale_tag``).

    Also whether the article takes comments now: comments close by the clock, with no
    write to move the version, and every process reads the same row and clock, so the
    first view after the close time misses and renders the page without the form."""
    parts = "|".join(
        (
            str(article.pk),
            "open" if article.accepting_comments else "closed",
            request.scheme,
            request.get_host(),
            str(page_number(request, article)),
            *page_variants(request),
            reader,
            locale_tag(),
        )
    )
    return hashlib.sha256(parts.encode()).hexdigest()


# --- Per-request holes ---------------------------------------------------------------------
# Hidden inputs whose value must be fresh for every reader: name -> how to make one.
# Apps add their own (``register_per_request_input``) in ``ready()``.
_PER_REQUEST_INPUTS: dict[str, Callable] = {"csrfmiddlewaretoken": get_token}
_INPUT_TAG = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_NAME_ATTR = re.compile(r'\bname="([^"]*)"')
_VALUE_ATTR = re.compile(r'\bvalue="([^"]*)"')
_HOLE = re.compile(r"\x00hole:([A-Za-z0-9_-]+)\x00")


def register_per_request_input(name: str, make_value: Callable) -> None:
    """Declare a hidden input (by name) whose value ``make_value(request)`` must be made
    anew for every reader of a cached page (apps call this in ``ready()``)."""
    _PER_REQUEST_INPUTS[name] = make_value


def hole(name: str) -> str:
    """A placeholder a template writes where a shared copy must show something of the
    reader's own (``fill_holes``'s ``values`` fill it); ``name`` is ``[A-Za-z0-9_-]+``."""
    return mark_safe(f"\x00hole:{name}\x00")  # noqa: S308 - a fixed marker, no input


def punch_holes(html: str, *, placed: int = 0) -> str | None:
    """The rendered page with every per-request value replaced by a placeholder, or
    None when a value also shows elsewhere in the page (then it must not be shared).
    ``placed`` is how many ``hole()`` markers the page was rendered with: any other
    marker came from somewhere else, and the page is not shared either."""
    removed: set[str] = set()

    def punch(match):
        tag = match.group(0)
        name = _NAME_ATTR.search(tag)
        if name is None or name.group(1) not in _PER_REQUEST_INPUTS:
            return tag
        value = _VALUE_ATTR.search(tag)
        if value is None:
            return tag
        if value.group(1):
            removed.add(value.group(1))
        start, end = value.span(1)
        return f"{tag[:start]}\x00hole:{name.group(1)}\x00{tag[end:]}"

    punched = _INPUT_TAG.sub(punch, html)
    if html.count("\x00hole:") != placed or any(value in punched for value in removed):
        return None
    return punched


def split_holes(html: str) -> list[bytes]:
    """A punched page as UTF-8 [text, hole name, text, hole name, ..., text], so that a
    serve is one join of bytes (a page of 200 comments has a CSRF hole in each like
    form)."""
    return [part.encode() for part in _HOLE.split(html)]


def fill_holes(
    html: str | list[bytes], request, values: Mapping[str, str] | None = None
) -> str | bytes:
    """Fresh per-request values in a cached page: one value per name, as one render
    would; ``values`` gives those of ``hole()`` placeholders (escaped here). A punched
    string gives a string; split parts give bytes."""
    parts = html if isinstance(html, list) else split_holes(html)
    parts = list(parts)
    values = values or {}
    filled_in: dict[bytes, bytes] = {}
    for name in set(parts[1::2]):
        key = name.decode()
        make = _PER_REQUEST_INPUTS.get(key)
        # Made only when not given: a page of cards gives the CSRF token once.
        value = values[key] if key in values else (make(request) if make else "")
        filled_in[name] = escape(value).encode()
    parts[1::2] = [filled_in[name] for name in parts[1::2]]
    filled = b"".join(parts)
    return filled if isinstance(html, list) else filled.decode()


def get_page(key: str):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not take pages down
        return None


def set_page(key: str, value) -> None:
    try:
        cache.set(key, value, page_cache_timeout())
    except Exception:  # noqa: BLE001, S110 - the page was served; caching is a bonus
        pass


# --- Conditional GET ------------------------------------------------------------------------
def make_etag(*parts) -> str:
    """A strong ETag from what a response was built from."""
    return '"' + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32] + '"'


def not_modified(request, *, etag: str, last_modified):
    """A 304 carrying the validators when the client's copy is current, else None.
    ``If-None-Match`` wins over ``If-Modified-Since`` (RFC 9110)."""
    seconds = int(last_modified.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=seconds)
    if response is not None:
        add_validators(response, etag=etag, last_modified=last_modified)
    return response


def add_validators(response, *, etag: str, last_modified) -> None:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(int(last_modified.timestamp()))


def conditional(request, *, etag: str, last_modified, respond):
    """A 304 when the client's copy is current, else ``respond()`` with the validators
    (ETag and Last-Modified) added."""
    unchanged = not_modified(request, etag=etag, last_modified=last_modified)
    if unchanged is not None:
        return unchanged
    response = respond()
    add_validators(response, etag=etag, last_modified=last_modified)
    return response
