from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from newsletter.models import NewsletterList, Subscription

pytestmark = pytest.mark.django_db


def load():
    output = StringIO()
    call_command("load_demo_newsletter", stdout=output)
    return output.getvalue()


def test_demo_lists_and_sign_ups_are_loaded_once():
    assert load().startswith("Newsletter: 3 lists (3 created now), ")
    made = Subscription.objects.count()
    assert load() == "Newsletter: 3 lists (0 created now), 0 demo sign-ups made now\n"
    assert Subscription.objects.count() == made
    assert NewsletterList.objects.defaults().get().name == "Morning Briefing"


def test_demo_sign_ups_spread_over_the_past_month():
    """For the insights page: asked, confirmed and ended on past days, not all now."""
    load()
    now = timezone.now()
    rows = Subscription.objects.values_list("created_at", "confirmed_at", "unsubscribed_at")
    assert len({asked.date() for asked, _, _ in rows}) > 10
    assert all(now - timedelta(days=31) < asked < now for asked, _, _ in rows)
    assert all(confirmed > asked for asked, confirmed, _ in rows if confirmed)
    statuses = set(Subscription.objects.values_list("status", flat=True))
    assert statuses == {"pending", "confirmed", "unsubscribed"}
