"""Unsubscribe (RFC 8058 one-click) and the preference pages."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from newsletter import tokens
from newsletter.models import Subscriber, Subscription
from tests.factories import make_user
from tests.newsletter.helpers import make_subscriber

pytestmark = pytest.mark.django_db


def statuses(subscriber):
    return dict(subscriber.subscriptions.values_list("list__slug", "status"))


@pytest.fixture
def ana(lists):
    return make_subscriber("ana@example.org", lists["morning"], lists["climate"])


def unsubscribe_url(subscriber):
    return reverse("newsletter:unsubscribe", args=[tokens.manage_token(subscriber)])


def preferences_url(subscriber):
    return reverse("newsletter:preferences", args=[tokens.manage_token(subscriber)])


def test_one_click_post_without_csrf_token_unsubscribes_from_all(ana):
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_url(ana), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert set(statuses(ana).values()) == {Subscription.Status.UNSUBSCRIBED}
    ana.refresh_from_db()
    assert ana.unsubscribed_reason == Subscriber.Reason.REQUEST


def test_get_shows_a_button_and_the_preference_link_without_unsubscribing(ana, client):
    response = client.get(unsubscribe_url(ana))
    assert b'<button class="button" type="submit">Unsubscribe</button>' in response.content
    # The token is signed with a timestamp, so compare the link by what it opens,
    # not byte for byte (a second boundary between the two signings changes it).
    match = re.search(rb'href="(/newsletter/preferences/[^"]+/)"', response.content)
    assert match, "no preference link on the unsubscribe page"
    token = match.group(1).decode().rsplit("/", 2)[-2]
    assert tokens.read_manage_token(token) == {"s": ana.pk, "e": ana.email}
    assert set(statuses(ana).values()) == {Subscription.Status.CONFIRMED}


def test_forged_unsubscribe_token_is_refused(ana, client):
    response = client.post(unsubscribe_url(ana)[:-5] + "abcd/")
    assert response.status_code == 400
    assert set(statuses(ana).values()) == {Subscription.Status.CONFIRMED}


def test_preference_page_changes_lists(ana, client):
    response = client.post(
        preferences_url(ana), {"action": "save", "lists": ["climate", "culture"]}
    )
    assert response.status_code == 303
    assert statuses(ana) == {
        "morning": "unsubscribed",
        "climate": "confirmed",
        "culture": "confirmed",
    }


def test_preference_page_ticks_current_lists(ana, client):
    response = client.get(preferences_url(ana))
    ticked = {c["list"].slug for c in response.context["choices"] if c["checked"]}
    assert ticked == {"morning", "climate"}


def test_preference_page_unsubscribes_from_all(ana, client):
    client.post(preferences_url(ana), {"action": "unsubscribe_all", "lists": ["climate"]})
    assert set(statuses(ana).values()) == {Subscription.Status.UNSUBSCRIBED}


def test_preference_page_needs_a_csrf_token(ana):
    response = Client(enforce_csrf_checks=True).post(preferences_url(ana), {"lists": []})
    assert response.status_code == 403


def verified_reader(email="reader@example.org"):
    user = make_user("reader", email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_signed_in_reader_joins_lists_without_confirmation(lists, client, mailoutbox):
    user = verified_reader()
    client.force_login(user)
    response = client.post(
        reverse("newsletter:my_preferences"), {"lists": ["culture"], "next": "/accounts/"}
    )
    assert response.status_code == 303
    assert response["Location"] == "/accounts/"
    subscriber = Subscriber.objects.get(email="reader@example.org")
    assert subscriber.user == user
    assert statuses(subscriber) == {"culture": "confirmed"}
    assert mailoutbox == []


def test_my_preferences_needs_login(lists, client):
    response = client.post(reverse("newsletter:my_preferences"), {"lists": ["culture"]})
    assert response.status_code == 302
    assert Subscriber.objects.count() == 0


def test_reader_without_verified_address_cannot_join(lists, client):
    client.force_login(make_user("reader", email="reader@example.org"))
    client.post(reverse("newsletter:my_preferences"), {"lists": ["culture"]})
    assert Subscriber.objects.count() == 0


def test_preferences_box_ticks_the_readers_lists(lists, rf):
    from django.template import Context, Template

    user = verified_reader()
    make_subscriber("reader@example.org", lists["climate"])
    request = rf.get("/accounts/")
    html = Template("{% load newsletter_tags %}{% newsletter_preferences_box user %}").render(
        Context({"user": user, "request": request})
    )
    assert 'value="climate" checked' in html
    assert 'value="morning">' in html
    assert reverse("newsletter:my_preferences") in html
