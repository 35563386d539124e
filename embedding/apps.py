from django.apps import AppConfig


class EmbeddingConfig(AppConfig):
    name = "embedding"
    verbose_name = "Embedding on other sites"

    def ready(self):
        from embedding import api_schema, origins  # noqa: F401 (api_schema registers itself)

        origins.connect()
