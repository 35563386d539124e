"""Demo newsletter lists (run by ``load_demo``). Idempotent: lists are looked up by slug
and created only when missing."""

from django.core.management.base import BaseCommand
from django.db import transaction

from newsletter.models import NewsletterList

DEMO_LISTS = [
    {
        "slug": "morning-briefing",
        "name": "Morning Briefing",
        "description": "The day's essential stories before breakfast, every weekday.",
        "is_default": True,
        "position": 1,
    },
    {
        "slug": "climate-weekly",
        "name": "Climate Weekly",
        "description": "Science, policy and people on the front line of a warming world.",
        "position": 2,
    },
    {
        "slug": "culture-notes",
        "name": "Culture Notes",
        "description": "Books, screens and stages worth your evening, on Fridays.",
        "position": 3,
    },
]


class Command(BaseCommand):
    help = "Load demo newsletter lists (part of load_demo)."

    def handle(self, *args, **options):
        created = 0
        with transaction.atomic():
            for data in DEMO_LISTS:
                defaults = {k: v for k, v in data.items() if k != "slug"}
                _, made = NewsletterList.objects.get_or_create(slug=data["slug"], defaults=defaults)
                created += made
        total = NewsletterList.objects.count()
        self.stdout.write(f"Newsletter: {total} lists ({created} created now)")
