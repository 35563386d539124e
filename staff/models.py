"""Insights' daily roll-ups (``staff.rollups`` keeps them; ``staff.insights`` reads them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyStat(models.Model):
    """One number for one day: ``metric`` (``staff.rollups.METRICS``) counted for one
    ``dimension`` (for comment figures ``<section slug>|<what>``, so that the section
    filter is a prefix). Rewritten (upserted) by the roll-up task, never by hand."""

    day = models.DateField(verbose_name=_("day"))
    metric = models.CharField(max_length=30, verbose_name=_("metric"))
    dimension = models.CharField(max_length=200, blank=True, verbose_name=_("dimension"))
    value = models.BigIntegerField(default=0, verbose_name=_("value"))

    class Meta:
        verbose_name = _("daily stat")
        verbose_name_plural = _("daily stats")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "metric", "dimension"], name="staff_dailystat_one_per_key"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.metric} {self.dimension}: {self.value}"
