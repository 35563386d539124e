from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")

    def ready(self):
        from articles.cache import (
            register_member_check,
            register_page_bound,
            register_page_variant,
            register_per_request_input,
            register_reader_values,
        )
        from comments import attachments, cache_signals, conversation, idempotency, rules_cache
        from comments.forms import form_token
        from comments.readers import member_holes
        from comments.threads import last_page_bound as threads_last_page
        from comments.threads import member_check

        cache_signals.connect()
        # Each process keeps the bans and blocked words until one of them changes.
        rules_cache.connect()
        # Plain signed-in readers share a copy of the article page: their likes, name
        # and follow are its holes.
        register_member_check(member_check)
        register_reader_values(member_holes)
        # An attachment's files leave storage with its row, however the row goes.
        attachments.connect()
        register_page_bound(threads_last_page)
        # ?ordering= (or the reader's remembered choice) draws the threads in another
        # order: a shared page of its own.
        register_page_variant(
            conversation.ORDERING_PARAM,
            values=conversation.ORDERINGS,
            cookie=conversation.ORDERING_COOKIE,
        )
        # The comment form's signed "shown at" time must be the reader's own, not the
        # time a shared cached page was rendered (the minimum fill time reads it).
        register_per_request_input("form_token", lambda request: form_token())
        # Each served copy of the form gets its own key, or two readers of one cached
        # page would share it (a key is scoped to its poster, but one reader with two
        # tabs open would not be).
        register_per_request_input(idempotency.FIELD, lambda request: idempotency.new_key())
