"""Moves the article's engagement version (``articles.cache``) whenever something shown
under it changes, whoever changed it: the services, the admin, a management command.

Signals are used for cache invalidation only, as the conventions allow; the services'
queryset ``update()`` calls (counters, paths) always go with a saved or deleted row
that fires one of these.
"""

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from articles.versions import article_changed, articles_changed
from comments.models import Attachment, Comment, CommentLike

# A user's name is shown with their comments.
_USER_FIELDS_SHOWN = {"display_name", "email", "username", "is_active"}


def _comment_changed(sender, instance, **kwargs):
    article_changed(instance.article_id)


def _through_comment(sender, instance, **kwargs):
    comment = instance._state.fields_cache.get("comment")
    if comment is not None:
        article_changed(comment.article_id)
    else:
        articles_changed(
            Comment.objects.filter(pk=instance.comment_id).values_list("article_id", flat=True)
        )


def _user_saved(sender, instance, created=False, update_fields=None, **kwargs):
    if created or (update_fields is not None and not _USER_FIELDS_SHOWN & set(update_fields)):
        return
    articles_changed(
        Comment.objects.filter(user_id=instance.pk).values_list("article_id", flat=True).distinct()
    )


def connect() -> None:
    for model, receiver in (
        (Comment, _comment_changed),
        (CommentLike, _through_comment),
        (Attachment, _through_comment),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"article-page-{model.__name__}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"article-page-{model.__name__}")
    post_save.connect(
        _user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="article-page-user"
    )
