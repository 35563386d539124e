"""A year of comments for insights' ``make bench`` row (``staff.bench_data``); run by
bench/run.py after ``load_bench``. Idempotent: a loaded year is only brought up to date."""

from django.core.management.base import BaseCommand, CommandError

from staff.bench_data import year_load


class Command(BaseCommand):
    help = "Load a year of comments and moderation decisions for insights' bench row."

    def add_arguments(self, parser):
        parser.add_argument("--comments", type=int, default=1_000_000)
        parser.add_argument("--days", type=int, default=365)

    def handle(self, *args, comments, days, **options):
        if comments < 1 or days < 1:
            raise CommandError("--comments and --days must be positive.")
        done = year_load(comments=comments, days=days, progress=self.stdout.write)
        if done["loaded"]:
            self.stdout.write(
                f"insights bench: {done['comments']:,} comments and {done['decisions']:,} "
                f"decisions loaded in {done['load_seconds']:.1f} s; {done['rollup_rows']:,} "
                f"roll-up figures counted in {done['rollup_seconds']:.1f} s"
            )
        else:
            self.stdout.write(
                f"insights bench: {done['comments']:,} comments already loaded; the last "
                f"week counted again in {done['rollup_seconds']:.1f} s"
            )
