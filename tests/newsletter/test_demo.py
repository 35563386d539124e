from io import StringIO

import pytest
from django.core.management import call_command

from newsletter.models import NewsletterList

pytestmark = pytest.mark.django_db


def load():
    output = StringIO()
    call_command("load_demo_newsletter", stdout=output)
    return output.getvalue()


def test_demo_lists_are_loaded_once():
    assert load() == "Newsletter: 3 lists (3 created now)\n"
    assert load() == "Newsletter: 3 lists (0 created now)\n"
    assert NewsletterList.objects.defaults().get().name == "Morning Briefing"
