from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from ratings.models import ArticleRating, Vote
from ratings.services import STARS


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["article", "stars", "voter", "user", "created_at", "updated_at"]
    list_filter = ["stars", "created_at"]
    list_select_related = ["article", "user"]
    search_fields = ["article__title", "voter", "user__email", "network"]
    raw_id_fields = ["article", "user"]
    # The network shows where a burst of guest votes came from (ballot stuffing).
    readonly_fields = ["article", "voter", "user", "stars", "network", "created_at", "updated_at"]

    def has_add_permission(self, request):
        # Votes change only through the ratings service, which keeps the counters.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ArticleRating)
class ArticleRatingAdmin(admin.ModelAdmin):
    """Rating statistics per article: count, average and the spread of stars."""

    list_display = ["title", "rating_count", "average", *[f"stars_{s}" for s in STARS]]
    list_filter = ["ratings_enabled", "section"]
    search_fields = ["title"]
    ordering = ["-rating_count", "-published_at"]
    fields = ["title", "ratings_enabled", "rating_count", "rating_sum"]
    readonly_fields = fields

    def get_queryset(self, request):
        counts = {f"n{s}": Count("votes", filter=Q(votes__stars=s)) for s in STARS}
        return super().get_queryset(request).annotate(**counts)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Average"), ordering="rating_sum")
    def average(self, obj):
        return obj.rating_average


def _stars_column(stars):
    @admin.display(description=f"{stars}★")
    def column(self, obj):
        return getattr(obj, f"n{stars}")

    return column


for _stars in STARS:
    setattr(ArticleRatingAdmin, f"stars_{_stars}", _stars_column(_stars))
