from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.management.commands.load_demo import load_content
from ratings.models import Vote

pytestmark = pytest.mark.django_db


def load():
    out = StringIO()
    call_command("load_demo_ratings", stdout=out)
    return out.getvalue()


def test_demo_votes_are_loaded_once():
    load_content(timezone.now())
    assert load() == "Ratings:    19 votes (19 created now)\n"
    assert load() == "Ratings:    19 votes (0 created now)\n"


def test_demo_votes_are_cast_after_publication_over_hours_not_all_now():
    """Insights' votes per day chart shows them on the days they were cast."""
    now = timezone.now()
    load_content(now)
    load()
    rows = Vote.objects.values_list("created_at", "article__published_at")
    assert all(published < cast <= timezone.now() for cast, published in rows)
    assert len({cast for cast, _ in rows}) == len(rows) == 19
    # Spread over the hours since each article went out (the oldest voted-on one is 31
    # hours old), not all at loading time. Not "on more than one date": that holds only
    # early in the UTC day, and failed CI run in the evening.
    casts = [cast for cast, _ in rows]
    assert max(casts) - min(casts) > timedelta(hours=12)
