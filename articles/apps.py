from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        from articles.versions import on_article_saved

        # Cache invalidation only (see articles.cache); no business rule hangs on it.
        post_save.connect(on_article_saved, sender="articles.Article", dispatch_uid="article-page")
