"""Sign-ups answer the same whether the address is unknown, pending or confirmed."""

import pytest
from django.urls import reverse

from newsletter.models import Subscription
from tests.newsletter.helpers import make_subscriber

pytestmark = pytest.mark.django_db

UNKNOWN, PENDING, CONFIRMED = "new@example.org", "pending@example.org", "known@example.org"


@pytest.fixture
def known(lists):
    make_subscriber(PENDING, lists["morning"], status=Subscription.Status.PENDING)
    make_subscriber(CONFIRMED, lists["morning"])


def test_api_responses_are_byte_identical(api_client, committed, known):
    def answer(email):
        with committed():
            response = api_client.post(
                reverse("api:newsletter-subscriptions"), {"email": email}, format="json"
            )
        return response.status_code, response.content, sorted(response.items())

    assert answer(UNKNOWN) == answer(PENDING) == answer(CONFIRMED)


def test_page_notices_are_identical(client, committed, known):
    def answer(email):
        with committed():
            response = client.post(
                reverse("newsletter:subscribe"),
                {"email": email, "lists": ["morning"], "next": "/newsletter/"},
                follow=True,
            )
        notices = [str(m) for m in response.context["messages"]]
        return response.redirect_chain, response.status_code, notices

    assert answer(UNKNOWN) == answer(PENDING) == answer(CONFIRMED)
    assert answer(UNKNOWN)[2] == ["Check your inbox to confirm your subscription."]
