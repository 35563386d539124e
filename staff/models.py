"""Insights' daily roll-ups (``staff.rollups`` keeps them; ``staff.insights`` reads them)."""

from django.db import models


class DailyStat(models.Model):
    """One number for one day: ``metric`` (``staff.rollups.METRICS``) counted for one
    ``dimension`` (for comment figures ``<section slug>|<what>``, so that the section
    filter is a prefix). Rewritten (upserted) by the roll-up task, never by hand."""

    day = models.DateField()
    metric = models.CharField(max_length=30)
    dimension = models.CharField(max_length=200, blank=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "metric", "dimension"], name="staff_dailystat_one_per_key"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.metric} {self.dimension}: {self.value}"
