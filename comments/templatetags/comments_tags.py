"""The article page's comment section, so that ``articles`` never imports ``comments``."""

from django import template

from comments.views import comment_section_context

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
