from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from articles.cache import register_per_request_input
        from comments import cache_signals
        from comments.forms import form_token

        cache_signals.connect()
        # The comment form's signed "shown at" time must be the reader's own, not the
        # time a shared cached page was rendered (the minimum fill time reads it).
        register_per_request_input("form_token", lambda request: form_token())
