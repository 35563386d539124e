"""Reading a WordPress export (WXR), streamed.

Each ``<item>`` (a post or page) carries its own ``<wp:comment>``s, so an item is one
thread: read, handed over, cleared. Comment ids are unique within one blog only, so the
source id is the blog's address (the channel's ``<link>``) and the id.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

from defusedxml.ElementTree import iterparse

from comments.models import Comment
from portability.importing import Post, Report, Thread
from portability.markup import html_to_body

STATUSES = {"1": Comment.Status.APPROVED, "0": Comment.Status.PENDING, "spam": Comment.Status.SPAM}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _fields(element) -> dict[str, str]:
    """The element's children by local name (``comment_id``, ``link``…) and their text."""
    return {_local(child.tag): (child.text or "").strip() for child in element}


def _when(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _post(comment: dict[str, str], site: str) -> Post:
    parent = comment.get("comment_parent", "0")
    return Post(
        source_id=f"{site}#{comment.get('comment_id', '')}",
        parent_id=f"{site}#{parent}" if parent not in ("", "0") else None,
        body=html_to_body(comment.get("comment_content", "")),
        name=comment.get("comment_author", ""),
        email=comment.get("comment_author_email", ""),
        ip_address=comment.get("comment_author_IP") or None,
        created_at=_when(comment.get("comment_date_gmt", "")),
        status=STATUSES[comment.get("comment_approved", "1")],
    )


def read(path: str, report: Report, progress=None) -> Iterator[Thread]:
    """The export's items that have comments, one thread each. Trashed comments,
    pingbacks and trackbacks are counted in ``report`` and left out."""
    site, root, depth = "", None, 0
    for event, element in iterparse(path, events=("start", "end"), forbid_dtd=True):
        if event == "start":
            depth += 1
            root = element if root is None else root
            continue
        depth -= 1
        name = _local(element.tag)
        if name == "link" and depth == 2 and not site:
            site = (element.text or "").strip()
        if name != "item":
            continue
        item = _fields(element)
        posts = []
        for child in element:
            if _local(child.tag) != "comment":
                continue
            comment = _fields(child)
            if progress:
                progress()
            if comment.get("comment_type") in ("pingback", "trackback"):
                report.skip("pingback or trackback")
            elif comment.get("comment_approved", "1") not in STATUSES:
                report.skip("trashed")
            else:
                posts.append(_post(comment, site))
        if posts:
            yield Thread(url=item.get("link", ""), title=item.get("title", ""), posts=posts)
        element.clear()
        root.clear()
