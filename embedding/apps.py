from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmbeddingConfig(AppConfig):
    name = "embedding"
    verbose_name = _("Embedding on other sites")

    def ready(self):
        from embedding import api_schema, origins  # noqa: F401 (api_schema registers itself)

        origins.connect()
        from django.db.models.signals import post_delete

        from articles.versions import engagement_changed
        from embedding import counts

        engagement_changed.connect(counts.engagement_moved, dispatch_uid="embedding.counts")
        post_delete.connect(
            counts.article_deleted, sender="articles.Article", dispatch_uid="embedding.counts"
        )
