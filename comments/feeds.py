from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from articles import cache as page_cache
from articles import versions
from articles.feeds import ConditionalFeed
from articles.models import Article
from comments.models import Comment

FEED_SIZE = 50


class ArticleCommentsFeed(ConditionalFeed):
    """RSS of an article's newest approved comments. No emails or addresses."""

    def validators(self, request, *args, **kwargs):
        """Keyed on the article's engagement version: a feed reader polling an
        unchanged conversation gets 304 after one query."""
        article = get_object_or_404(Article.objects.published(), slug=kwargs.get("slug"))
        # The instance serves every request: the article travels on the request.
        request.feed_article = article
        etag = page_cache.make_etag(
            "comments-feed",
            versions.version_tag(article),
            request.scheme,
            request.get_host(),
            page_cache.locale_tag(),
        )
        return etag, max(article.engagement_changed_at, article.updated_at)

    def get_object(self, request, slug):
        article = getattr(request, "feed_article", None)
        if article is not None and article.slug == slug:
            return article
        return get_object_or_404(Article.objects.published(), slug=slug)

    def title(self, article):
        return f"Comments on “{article.title}” · {settings.SITE_NAME}"

    def link(self, article):
        return article.get_absolute_url() + "#comments"

    def description(self, article):
        return _("The newest comments on “%(title)s”.") % {"title": article.title}

    def items(self, article):
        return (
            Comment.objects.approved()
            .filter(article=article)
            .select_related("user", "article")
            .order_by("-created_at", "-id")[:FEED_SIZE]
        )

    def item_title(self, item):
        return f"{item.author_name} on “{item.article.title}”"

    def item_description(self, item):
        return item.body_html

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"comment-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.edited_at or item.created_at

    def item_author_name(self, item):
        return item.author_name
