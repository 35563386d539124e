import pytest

from newsletter.models import NewsletterList


@pytest.fixture
def lists(db):
    """Morning Briefing (default), Climate Weekly, Culture Notes (all public)."""
    return {
        slug: NewsletterList.objects.create(
            slug=slug, name=name, is_default=slug == "morning", position=n
        )
        for n, (slug, name) in enumerate(
            [
                ("morning", "Morning Briefing"),
                ("climate", "Climate Weekly"),
                ("culture", "Culture Notes"),
            ]
        )
    }
