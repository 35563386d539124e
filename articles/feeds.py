from datetime import UTC, datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Count, Max, Sum
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext_lazy as _

from articles import cache as page_cache
from articles.models import Article

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)

FEED_SIZE = 30


class _ItemLanguage:
    """Each item carries its article's language as ``xml:lang`` (an article is written
    in one language, whatever the reader's)."""

    def item_attributes(self, item):
        attrs = super().item_attributes(item)
        if item.get("language"):
            attrs["xml:lang"] = item["language"]
        return attrs


class RssWithItemLanguage(_ItemLanguage, Rss201rev2Feed):
    pass


class AtomWithItemLanguage(_ItemLanguage, Atom1Feed):
    pass


class ConditionalFeed(Feed):
    """A feed that answers 304 to a reader polling an unchanged feed: subclasses say
    what the feed was built from in ``validators()`` (an ETag, a Last-Modified time)."""

    def validators(self, request, *args, **kwargs):
        raise NotImplementedError

    def __call__(self, request, *args, **kwargs):
        etag, last_modified = self.validators(request, *args, **kwargs)
        render = super().__call__
        return page_cache.conditional(
            request,
            etag=etag,
            last_modified=last_modified,
            respond=lambda: render(request, *args, **kwargs),
        )


class LatestArticlesFeed(ConditionalFeed):
    feed_type = RssWithItemLanguage
    title = settings.SITE_NAME
    link = reverse_lazy("articles:front")

    def description(self):
        return _("The newest articles from %(site)s.") % {"site": settings.SITE_NAME}

    def subtitle(self):
        return self.description()

    def validators(self, request, *args, **kwargs):
        """One aggregate over the published articles says whether the feed can have
        changed (an article published, edited, withdrawn or deleted)."""
        state = (
            Article.objects.published()
            .own()
            .aggregate(
                count=Count("pk"),
                ids=Sum("pk"),
                updated=Max("updated_at"),
                published=Max("published_at"),
            )
        )
        etag = page_cache.make_etag(
            self.feed_type.__name__,
            *state.values(),
            request.scheme,
            request.get_host(),
            page_cache.locale_tag(),
        )
        last_modified = max(filter(None, (state["updated"], state["published"])), default=_EPOCH)
        return etag, last_modified

    def items(self):
        return Article.objects.published().for_list()[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.standfirst or item.body_html

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.section.name]

    def item_author_name(self, item):
        return item.source or None

    def item_extra_kwargs(self, item):
        return {"language": item.language}


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = AtomWithItemLanguage
