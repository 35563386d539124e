from django.core.management.base import BaseCommand

from social.models import SocialSource
from social.services import social_fetch, social_fetch_all


class Command(BaseCommand):
    help = "Read every active RSS/Atom social source now (what the periodic task does)."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, help="Only this source id (even if inactive).")

    def handle(self, *args, source=None, **options):
        if source is None:
            results = social_fetch_all()
        else:
            results = [social_fetch(source=SocialSource.objects.get(pk=source))]
        for result in results:
            if result.ok:
                self.stdout.write(f"{result.source}: {result.created} new posts")
            else:
                self.stderr.write(f"{result.source}: failed: {result.error}")
        failed = sum(1 for result in results if not result.ok)
        self.stdout.write(f"{len(results)} sources fetched, {failed} failed.")
