from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from social.box import box_posts

register = template.Library()


@register.inclusion_tag("social/_box.html")
def social_box():
    """ "<SITE> on social": the newest posts. At most one query (none when cached)."""
    posts = [{**post, "text_html": mark_safe(post["text_html"])} for post in box_posts()]  # noqa: S308 - escaped by linkify
    return {"SITE_NAME": settings.SITE_NAME, "posts": posts}
