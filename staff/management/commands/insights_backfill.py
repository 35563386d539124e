"""Count past days into insights' roll-ups: after the first deployment, an import, or
a gap in the hourly task (which recounts only the last week)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from staff.rollups import daily_stats_backfill


class Command(BaseCommand):
    help = "Count every day since a date (or the last N days) into the insights' roll-ups."

    def add_arguments(self, parser):
        when = parser.add_mutually_exclusive_group(required=True)
        when.add_argument("--since", help="first day to count, YYYY-MM-DD")
        when.add_argument("--days", type=int, help="count this many days before today")

    def handle(self, *args, since=None, days=None, **options):
        today = timezone.localdate()
        if since is not None:
            first = parse_date(since)
            if first is None:
                raise CommandError(f"--since: {since!r} is not a date (YYYY-MM-DD).")
        else:
            if days < 1:
                raise CommandError("--days must be at least 1.")
            first = today - timedelta(days=days)
        if first >= today:
            raise CommandError("Nothing to count: the first day must be before today.")
        written = daily_stats_backfill(since=first, today=today)
        self.stdout.write(f"Counted {(today - first).days} days: {written} figures.")
