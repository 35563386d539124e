"""The article page's comment section, so that ``articles`` never imports ``comments``."""

from django import template
from django.utils.html import format_html

from comments import idempotency
from comments.attachments import THUMBNAIL_SIZE
from comments.threads import comment_section_context

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context, article):
    """The threaded comments and the form. A bound form with errors comes in as the
    page's ``comment_form`` (see ``comments.views.comment_post``)."""
    return comment_section_context(context["request"], article, form=context.get("comment_form"))


@register.filter
def stars(value) -> str:
    """4 → "★★★★☆" (the filled and empty stars of a 1..5 rating)."""
    try:
        filled = max(0, min(5, int(value)))
    except (TypeError, ValueError):
        filled = 0
    return "★" * filled + "☆" * (5 - filled)


@register.simple_tag
def thumbnail_size(attachment) -> tuple[int, int] | None:
    """The thumbnail's size in pixels, for the ``<img>``'s width and height: the image
    scaled to fit ``THUMBNAIL_SIZE``, never enlarged (as ``comments.attachments`` makes
    it). None when the size is unknown."""
    width, height = attachment.width, attachment.height
    if not width or not height:
        return None
    box_width, box_height = THUMBNAIL_SIZE
    scale = min(1, box_width / width, box_height / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


_KIND_LABELS = {"application/pdf": "PDF", "text/plain": "Text"}


@register.filter
def file_kind(content_type: str) -> str:
    """ "application/pdf" → "PDF": what a reader calls the file."""
    base = (content_type or "").split(";", 1)[0].strip().lower()
    return _KIND_LABELS.get(base) or base.rsplit("/", 1)[-1].upper() or "File"


@register.simple_tag
def idempotency_key_input():
    """The comment form's hidden ``idempotency_key``: new on every render, so a
    double-clicked form posts one comment and the next form another. (A page cache
    must give each served page its own value; it looks for this input's name.)"""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', idempotency.FIELD, idempotency.new_key()
    )
