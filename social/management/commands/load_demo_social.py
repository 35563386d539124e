"""Demo social posts (run by ``load_demo``). Idempotent: posts are keyed by GUID."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from social.models import SocialPost, SocialSource

# (guid, minutes ago, text) — invented posts of the demo site's account.
DEMO_POSTS = [
    ("demo:1", 25, "Live now: the lake basin states sign their drought data deal. "
                   "Follow along at https://newsite.example/live/drought"),
    ("demo:2", 3 * 60, "Our reporters spent a night in Lisbon's council chamber. "
                       "What the rent cap means for tenants, in five points."),
    ("demo:3", 9 * 60, "Tromsø's fjord ice broke up earlier than ever recorded. "
                       "Photos from the shore this morning."),
    ("demo:4", 28 * 60, "Mexico City's oldest cinema reopens its doors tonight (and yes, "
                        "the popcorn machine is original)."),
    ("demo:5", 3 * 24 * 60, "Tell us what you think: comments are open on every story, "
                            "no account needed."),
]  # fmt: skip


class Command(BaseCommand):
    help = "Load demo social posts (part of load_demo)."

    def handle(self, *args, **options):
        now = timezone.now()
        created = 0
        with transaction.atomic():
            source, _ = SocialSource.objects.get_or_create(
                name="Newsite on Mastodon",
                defaults={
                    "kind": SocialSource.Kind.MANUAL,
                    "label": "Mastodon",
                    "profile_url": "https://mastodon.example/@newsite",
                },
            )
            for guid, minutes, text in DEMO_POSTS:
                _, was_created = SocialPost.objects.get_or_create(
                    source=source,
                    guid=guid,
                    defaults={"text": text, "published_at": now - timedelta(minutes=minutes)},
                )
                created += was_created
        self.stdout.write(
            f"Social:     {SocialPost.objects.count()} posts from "
            f"{SocialSource.objects.count()} sources ({created} created now)"
        )
