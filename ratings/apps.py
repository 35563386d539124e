from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _vote_changed(sender, instance, **kwargs):
    from articles.versions import article_changed

    # The summary and the distribution under the article change with every vote.
    article_changed(instance.article_id)


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = _("Ratings")

    def ready(self):
        from articles.cache import register_reader_values
        from ratings.services import readers_star_holes

        # The reader's stars in the page that signed-in readers share.
        register_reader_values(readers_star_holes)
        post_save.connect(_vote_changed, sender="ratings.Vote", dispatch_uid="article-page-vote")
        post_delete.connect(_vote_changed, sender="ratings.Vote", dispatch_uid="article-page-vote")
