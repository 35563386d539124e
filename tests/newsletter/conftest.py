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


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the code defers until commit (emails, the sending task), as production
    does once the request's transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
