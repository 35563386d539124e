"""Demo votes (run by ``load_demo``). Idempotent: articles that have votes are skipped."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from ratings.models import Vote
from ratings.services import rating_set

# Stars from invented guest voters, per article slug.
DEMO_VOTES = {
    "lake-basin-states-agree-to-share-drought-data": [5, 4, 4, 5, 3, 4],
    "lisbon-council-approves-rent-cap-after-all-night-session": [2, 5, 4, 1, 3],
    "tromso-fjord-ice-breaks-up-earliest-on-record": [5, 5, 4],
    "mexico-city-oldest-cinema-reopens": [5, 4, 5, 5],
    "halvard-lines-orders-methanol-ready-container-ships": [3],
}


class Command(BaseCommand):
    help = "Load demo votes (part of load_demo)."

    def handle(self, *args, **options):
        created = 0
        with transaction.atomic():
            articles = Article.objects.in_bulk(DEMO_VOTES.keys(), field_name="slug")
            for slug, votes in DEMO_VOTES.items():
                article = articles.get(slug)
                if article is None or Vote.objects.filter(article=article).exists():
                    continue
                for n, stars in enumerate(votes):
                    rating_set(
                        article=article, voter=f"g:demo-{n}", stars=stars, enforce_limits=False
                    )
                    created += 1
                    # Cast evenly over the time since publication (insights' votes per
                    # day), not all at the moment the demo was loaded.
                    since = timezone.now() - article.published_at
                    cast = article.published_at + since * (n + 1) / (len(votes) + 1)
                    Vote.objects.filter(article=article, voter=f"g:demo-{n}").update(
                        created_at=cast, updated_at=cast
                    )
        self.stdout.write(f"Ratings:    {Vote.objects.count()} votes ({created} created now)")
