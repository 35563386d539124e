import json

from django import template
from django.utils.safestring import mark_safe

from articles import cache as page_cache
from articles.times import time_ago

register = template.Library()

# The same escapes Django's json_script uses, so that text such as "</script>" inside a
# headline cannot end the element.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def article_jsonld(context, article):
    """schema.org NewsArticle metadata for search engines, as a JSON-LD script element."""
    request = context["request"]
    url = request.build_absolute_uri(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": article.title[:110],
        "description": article.standfirst,
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "articleSection": article.section.name,
        "url": url,
        "publisher": {"@type": "Organization", "name": context.get("SITE_NAME", "")},
    }
    if article.credits:
        data["author"] = {"@type": "Organization", "name": article.source or article.credits}
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308


@register.simple_tag(takes_context=True)
def personal(context, name, value):
    """``value``, where it is the signed-in reader's own: in the copy of the page that
    plain signed-in readers share, a hole filled for each of them (``articles.cache``)."""
    request = context.get("request")
    if request is None:
        return value
    return page_cache.personal(request, name, value)


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    return context["request"].build_absolute_uri(path)


@register.filter
def ago(value, now=None) -> str:
    """ "3 hours ago" in the site's one wording (``articles.times``); write it in a
    ``<time data-relative datetime=...>`` so that ``times.js`` keeps it current."""
    return time_ago(value, now)
