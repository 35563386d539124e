"""Plain text in, plain text out: feed HTML to text, and text to safe HTML with links."""

import html
import re

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

LINK_REL = "nofollow noopener ugc"

# http(s) URLs only: "javascript:", "data:" and bare domains never become links.
_URL_RE = re.compile(r"""\bhttps?://[^\s<>"'`\x00-\x1f\x7f]+""", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?*'\""
_SPACES_RE = re.compile(r"\s+")


def html_to_text(value: str, *, max_length: int | None = None) -> str:
    """Strip every tag (scripts and styles with their content), then unescape entities,
    so that ``&lt;script&gt;`` becomes the *text* ``<script>``; whitespace collapsed.
    The result is plain text: it must be escaped wherever it is shown."""
    text = html.unescape(nh3.clean(value or "", tags=set(), strip_comments=True))
    text = _SPACES_RE.sub(" ", text).strip()
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text


def _trim_url(url: str) -> tuple[str, str]:
    """Split punctuation that ends a sentence off a URL; keep a ")" that closes a "("."""
    trail = ""
    while url:
        last = url[-1]
        if last in _TRAILING_PUNCTUATION or (last == ")" and url.count("(") < url.count(")")):
            trail = last + trail
            url = url[:-1]
        else:
            break
    return url, trail


def linkify(text: str) -> SafeString:
    """Escape plain text and turn its http(s) URLs into links with
    ``rel="nofollow noopener ugc"``. Every piece is escaped before it is joined."""
    parts = []
    position = 0
    for match in _URL_RE.finditer(text or ""):
        url, trail = _trim_url(match.group())
        if not url.partition("://")[2]:
            continue
        parts.append(escape(text[position : match.start()]))
        parts.append(f'<a href="{escape(url)}" rel="{LINK_REL}">{escape(url)}</a>')
        parts.append(escape(trail))
        position = match.end()
    parts.append(escape((text or "")[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped
