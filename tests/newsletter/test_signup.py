"""Double opt-in: the confirmation email, its link (GET shows, POST confirms), expiry."""

import time
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError

from newsletter import services
from newsletter.models import Subscriber, Subscription
from tests.factories import make_user
from tests.newsletter.helpers import link_in, make_subscriber

pytestmark = pytest.mark.django_db

CONFIRMED = Subscription.Status.CONFIRMED


def sign_up(committed, email="ana@example.org", lists=None):
    with committed():
        services.subscription_request(email=email, lists=lists)


def statuses(email):
    return dict(
        Subscription.objects.filter(subscriber__email=email).values_list("list__slug", "status")
    )


def test_sign_up_sends_a_confirmation_and_stays_pending(lists, committed, mailoutbox):
    sign_up(committed)
    assert statuses("ana@example.org") == {"morning": "pending"}
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ana@example.org"]
    assert "Morning Briefing" in mailoutbox[0].body


def test_confirmation_email_is_multipart_and_claims_no_list(lists, committed, mailoutbox):
    sign_up(committed)
    message = mailoutbox[0]
    assert message.alternatives[0].mimetype == "text/html"
    assert "List-Unsubscribe" not in message.extra_headers


def test_get_of_the_link_shows_a_button_and_does_not_confirm(lists, committed, mailoutbox, client):
    sign_up(committed)
    response = client.get(link_in(mailoutbox[0], "confirm"))
    assert response.status_code == 200
    assert b"Confirm subscription" in response.content
    assert statuses("ana@example.org") == {"morning": "pending"}


def test_post_to_the_link_confirms(lists, committed, mailoutbox, client):
    sign_up(committed, lists=["climate", "culture"])
    response = client.post(link_in(mailoutbox[0], "confirm"))
    assert response.status_code == 200
    assert "You're subscribed" in response.content.decode()
    assert statuses("ana@example.org") == {"climate": CONFIRMED, "culture": CONFIRMED}


def test_expired_link_does_not_confirm(lists, committed, mailoutbox, client, settings):
    long_ago = time.time() - settings.NEWSLETTER_CONFIRM_MAX_AGE - 60
    with mock.patch("django.core.signing.time.time", return_value=long_ago):
        sign_up(committed)
    response = client.post(link_in(mailoutbox[0], "confirm"))
    assert response.status_code == 400
    assert b"expired" in response.content
    assert statuses("ana@example.org") == {"morning": "pending"}


def test_tampered_link_is_refused(lists, committed, mailoutbox, client):
    sign_up(committed)
    response = client.post(link_in(mailoutbox[0], "confirm").replace("/confirm/", "/confirm/x"))
    assert response.status_code == 400


def test_confirmed_address_gets_no_new_email(lists, committed, mailoutbox):
    make_subscriber("ana@example.org", lists["morning"])
    sign_up(committed)
    assert mailoutbox == []


def test_new_list_for_a_confirmed_address_asks_only_for_that_list(lists, committed, mailoutbox):
    make_subscriber("ana@example.org", lists["morning"])
    sign_up(committed, lists=["morning", "culture"])
    assert len(mailoutbox) == 1
    assert "Culture Notes" in mailoutbox[0].body
    assert "Morning Briefing" not in mailoutbox[0].body


def test_resubscribing_after_unsubscribe_needs_a_new_confirmation(
    lists, committed, mailoutbox, client
):
    subscriber = make_subscriber("ana@example.org", lists["morning"])
    services.subscriber_unsubscribe(subscriber=subscriber)
    sign_up(committed)
    assert statuses("ana@example.org") == {"morning": "pending"}
    client.post(link_in(mailoutbox[0], "confirm"))
    assert statuses("ana@example.org") == {"morning": CONFIRMED}


def test_a_link_sent_before_unsubscribing_does_not_bring_the_reader_back(
    lists, committed, mailoutbox, client
):
    sign_up(committed)
    services.subscriber_unsubscribe(subscriber=Subscriber.objects.get())
    response = client.post(link_in(mailoutbox[0], "confirm"))
    assert response.status_code == 400
    assert statuses("ana@example.org") == {"morning": "unsubscribed"}


def test_addresses_are_one_subscriber_whatever_their_case(lists, committed):
    sign_up(committed, email="Ana@X.org")
    sign_up(committed, email="ana@x.org ")
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["ana@x.org"]


def test_unknown_list_is_refused(lists):
    with pytest.raises(ValidationError) as caught:
        services.subscription_request(email="ana@example.org", lists=["nope"])
    assert list(caught.value.message_dict) == ["lists"]


def test_private_list_cannot_be_joined_by_sign_up(lists):
    lists["culture"].is_public = False
    lists["culture"].save()
    with pytest.raises(ValidationError):
        services.subscription_request(email="ana@example.org", lists=["culture"])


def test_subscriber_is_linked_to_the_account_with_that_verified_address(lists, committed):
    user = make_user("ana", email="ana@example.org")
    EmailAddress.objects.create(user=user, email="ana@example.org", verified=True, primary=True)
    sign_up(committed, email="ANA@example.org")
    assert Subscriber.objects.get().user == user


def test_unverified_address_links_no_account(lists, committed):
    user = make_user("ana", email="ana@example.org")
    EmailAddress.objects.create(user=user, email="ana@example.org", verified=False)
    sign_up(committed)
    assert Subscriber.objects.get().user is None
