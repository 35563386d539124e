"""Markdown to safe HTML, shared by every app that renders user or editor text.

markdown-it-py renders with raw HTML disabled (so ``<script>`` in the source shows as
text), then nh3 sanitises the result against an allow-list. The sanitiser is the last
word: whatever the renderer produces, only the tags and attributes below survive.
"""

import nh3
from markdown_it import MarkdownIt

# Editors' articles may use headings, images and tables; reader comments get less.
ARTICLE_TAGS = {
    "p", "br", "hr", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "img", "figure", "figcaption", "table", "thead", "tbody", "tr",
    "th", "td", "del",
}  # fmt: skip
COMMENT_TAGS = {
    "p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre", "del",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
_URL_SCHEMES = {"http", "https", "mailto"}

_article_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)
_comment_md = MarkdownIt("commonmark", {"html": False}).disable(["image", "heading", "lheading"])
_comment_md.enable("strikethrough")


def _clean(html: str, tags: set[str], link_rel: str | None) -> str:
    return nh3.clean(
        html,
        tags=tags,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=link_rel,
        strip_comments=True,
    ).strip()


def render_article(source: str) -> str:
    """Render an editor's Markdown article body to sanitised HTML."""
    return _clean(_article_md.render(source or ""), ARTICLE_TAGS, link_rel="noopener")


def render_comment(source: str) -> str:
    """Render a reader's Markdown (the safe subset) to sanitised HTML.

    Links get ``rel="nofollow ugc noopener"`` so that spam links earn nothing.
    """
    return _clean(_comment_md.render(source or ""), COMMENT_TAGS, link_rel="nofollow ugc noopener")


def sanitise_comment_html(html: str) -> str:
    """Another system's comment HTML (an import) cut down to what a comment may contain,
    by the same allow-list as our own rendered comments."""
    return _clean(html or "", COMMENT_TAGS, link_rel="nofollow ugc noopener")
