from django.contrib.sitemaps import Sitemap

from articles.models import Article, Section


class ArticleSitemap(Sitemap):
    changefreq = "hourly"
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .own()
            .order_by("-published_at", "-id")
            .only("slug", "updated_at")
        )

    def lastmod(self, item):
        return item.updated_at


class SectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.6

    def items(self):
        return Section.objects.all()


sitemaps = {"articles": ArticleSitemap, "sections": SectionSitemap}
