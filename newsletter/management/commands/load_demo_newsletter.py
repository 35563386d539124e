"""Demo newsletter lists (run by ``load_demo``). Idempotent: lists are looked up by slug
and created only when missing."""

import random
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from newsletter.models import NewsletterList, Subscriber, Subscription

# Demo readers' addresses: how a re-run knows the month of sign-ups is there.
DOMAIN = "newsletter-demo.example"

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
            signups = load_signups(timezone.now())
        total = NewsletterList.objects.count()
        self.stdout.write(
            f"Newsletter: {total} lists ({created} created now), {signups} demo sign-ups made now"
        )


def load_signups(now, days: int = 30) -> int:
    """A month of sign-ups for the insights page: most confirmed within the hour, some
    never, a few gone again. Written as rows (no emails go out); seeded to repeat."""
    if Subscriber.objects.filter(email__endswith=f"@{DOMAIN}").exists():
        return 0
    rng = random.Random(7)  # noqa: S311 -- demo data, not a secret: seeded to repeat
    lists = list(NewsletterList.objects.order_by("position"))
    made = 0
    for back in range(days, 0, -1):
        for _ in range(rng.randint(0, 4)):
            made += 1
            asked = now - timedelta(days=back, minutes=rng.randint(0, 1200))
            subscriber = Subscriber.objects.create(email=f"reader{made}@{DOMAIN}")
            roll = rng.random()
            confirmed = asked + timedelta(minutes=rng.randint(1, 90)) if roll < 0.8 else None
            gone = confirmed + timedelta(days=rng.randint(1, 9)) if roll < 0.1 else None
            if gone and gone > now:
                gone = None
            status = (
                Subscription.Status.UNSUBSCRIBED
                if gone
                else Subscription.Status.CONFIRMED
                if confirmed
                else Subscription.Status.PENDING
            )
            subscription = Subscription.objects.create(
                subscriber=subscriber,
                list=rng.choice(lists),
                status=status,
                confirmed_at=confirmed,
                unsubscribed_at=gone,
            )
            # ``auto_now_add`` stamps now; the demo's month is in the past.
            Subscriber.objects.filter(pk=subscriber.pk).update(created_at=asked)
            Subscription.objects.filter(pk=subscription.pk).update(created_at=asked)
    return made
