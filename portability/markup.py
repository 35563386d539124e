"""Other systems' comment HTML turned into a comment body (our Markdown source).

The HTML goes through the site's one sanitiser first (``sanitise_comment_html``), then
what is left becomes text: paragraphs and line breaks as newlines, links as Markdown
links, every other tag dropped, entities decoded. The body is then rendered like any
reader's (raw HTML off, then sanitised again), so text such as ``<script>`` shows as
text.
"""

import html
import re

import nh3

from articles.markup import sanitise_comment_html

_LINK_RE = re.compile(r'<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)
_BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH_RE = re.compile(r"</p>|</blockquote>|</li>|</pre>", re.IGNORECASE)
_BLANK_LINES_RE = re.compile(r"\n{3,}")


def _link(match: re.Match) -> str:
    href, text = html.unescape(match.group(1)), match.group(2)
    text = html.unescape(nh3.clean(text, tags=set())).strip()
    if not text or text == href:
        return f"<{href}>" if href.startswith(("http://", "https://")) else text
    return f"[{text.replace(']', ')')}]({href.replace(')', '%29')})"


def html_to_body(value: str) -> str:
    clean = sanitise_comment_html(value or "")
    clean = _LINK_RE.sub(lambda m: html.escape(_link(m), quote=False), clean)
    clean = _BREAK_RE.sub("\n", clean)
    clean = _PARAGRAPH_RE.sub("\n\n", clean)
    text = html.unescape(nh3.clean(clean, tags=set(), strip_comments=True))
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    return _BLANK_LINES_RE.sub("\n\n", text).strip()
