"""The article page's comment section, so that ``articles`` never imports ``comments``."""

from django import template

from comments.views import comment_section_context

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context, article):
    """The threaded comments and the form. A bound form with errors comes in as the
    page's ``comment_form`` (see ``comments.views.comment_post``)."""
    return comment_section_context(context["request"], article, form=context.get("comment_form"))
