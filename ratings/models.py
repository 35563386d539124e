from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class Vote(models.Model):
    """One voter's 1–5 stars for an article. The voter is ``u:<user id>`` for a
    registered reader or ``g:<id>`` from the signed guest cookie (articles.voters), the
    same identity likes and flags use."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="votes", verbose_name=_("article")
    )
    voter = models.CharField(max_length=64, verbose_name=_("voter"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="votes",
        verbose_name=_("user"),
    )
    stars = models.PositiveSmallIntegerField(verbose_name=_("stars"))
    # A guest's network when the vote was cast ("203.0.113.0/24", "2001:db8:1:2::/64";
    # ratings.services.voter_network): guests from one network get a few new votes per
    # article a day, however many cookies they clear. Empty for registered readers and
    # for votes cast without a request (imports, demo data).
    network = models.CharField(
        max_length=50, blank=True, default="", editable=False, verbose_name=_("network")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["article", "voter"], name="ratings_vote_one_per_voter"),
            models.CheckConstraint(
                condition=Q(stars__gte=1) & Q(stars__lte=5), name="ratings_vote_stars_1_to_5"
            ),
        ]
        indexes = [
            # A guest's new vote counts its network's votes on the article in the last
            # day (ratings.services._check_network_allowance).
            models.Index(
                fields=["article", "network", "created_at"], name="ratings_vote_network_day"
            ),
        ]

    def __str__(self):
        return f"{self.stars}★ by {self.voter} on {self.article}"


class ArticleRating(Article):
    """Articles seen through their ratings, for the admin's statistics page."""

    class Meta:
        proxy = True
        verbose_name = _("article rating")
        verbose_name_plural = _("article ratings")
