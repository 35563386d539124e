"""GET /api/v1/newsletter/lists/ and POST /api/v1/newsletter/subscriptions/."""

import pytest
from django.urls import reverse

from newsletter.models import NewsletterList, Subscription

pytestmark = pytest.mark.django_db

URL = reverse("api:newsletter-subscriptions")
ACCEPTED = {"detail": "Check your inbox to confirm your subscription."}


def post(api_client, committed, data, **extra):
    with committed():
        return api_client.post(URL, data, format="json", **extra)


def test_lists_are_the_public_ones_in_order(api_client, lists):
    NewsletterList.objects.create(slug="staff", name="Staff only", is_public=False)
    response = api_client.get(reverse("api:newsletter-lists"))
    assert response.status_code == 200
    assert [x["slug"] for x in response.json()["results"]] == ["morning", "climate", "culture"]
    assert set(response.json()["results"][0]) == {"slug", "name", "description"}


def test_lists_cost_two_queries_however_many(api_client, lists, django_assert_num_queries):
    for n in range(20):
        NewsletterList.objects.create(slug=f"list-{n}", name=f"List {n}")
    # 1. count for the pagination, 2. the page of lists
    with django_assert_num_queries(2):
        api_client.get(reverse("api:newsletter-lists"))


def test_sign_up_answers_202_and_sends_a_confirmation(api_client, committed, lists, mailoutbox):
    response = post(api_client, committed, {"email": "ana@example.org", "lists": ["climate"]})
    assert response.status_code == 202
    assert response.json() == ACCEPTED
    assert len(mailoutbox) == 1


def test_sign_up_without_lists_joins_the_default_ones(api_client, committed, lists):
    post(api_client, committed, {"email": "ana@example.org"})
    assert list(Subscription.objects.values_list("list__slug", flat=True)) == ["morning"]


def test_bad_email_is_400_on_email(api_client, committed, lists):
    response = post(api_client, committed, {"email": "not-an-address"})
    assert response.status_code == 400
    assert list(response.json()) == ["email"]


def test_unknown_list_is_400_on_lists(api_client, committed, lists, mailoutbox):
    response = post(api_client, committed, {"email": "ana@example.org", "lists": ["nope"]})
    assert response.status_code == 400
    assert list(response.json()) == ["lists"]
    assert mailoutbox == []


def test_over_the_limit_per_ip_is_429_with_retry_after(api_client, committed, lists, settings):
    settings.NEWSLETTER_RATE_LIMIT = "2/h"
    for n in range(2):
        assert post(api_client, committed, {"email": f"a{n}@example.org"}).status_code == 202
    response = post(api_client, committed, {"email": "a3@example.org"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert list(response.json()) == ["detail"]


def test_over_the_limit_per_address_is_429_from_any_ip(api_client, committed, lists, settings):
    settings.NEWSLETTER_RATE_LIMIT = "2/h"
    for n in range(2):
        post(api_client, committed, {"email": "ana@example.org"}, REMOTE_ADDR=f"198.51.100.{n}")
    response = post(api_client, committed, {"email": "ana@example.org"}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429


def test_plus_tags_of_one_mailbox_share_its_limit(api_client, committed, lists, settings):
    settings.NEWSLETTER_RATE_LIMIT = "2/h"
    for n in range(2):
        post(
            api_client, committed, {"email": f"ana+{n}@example.org"}, REMOTE_ADDR=f"198.51.100.{n}"
        )
    response = post(
        api_client, committed, {"email": "Ana+x@example.org"}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 429
