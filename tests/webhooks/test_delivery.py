import json
import time

import pytest
from standardwebhooks.webhooks import Webhook as Verifier

from comments.models import Comment
from comments.services import comment_approve, comment_delete, comment_flag, comment_set_status
from newsletter import services as newsletter
from newsletter import tokens
from newsletter.models import NewsletterList, Subscription
from ratings.services import rating_set
from tests.factories import make_article, make_comment
from tests.newsletter.helpers import make_subscriber
from webhooks.models import Event, Webhook, WebhookDelivery
from webhooks.tasks import deliver_due

pytestmark = pytest.mark.django_db


def verified(endpoint, receiver) -> list[dict]:
    """Every request the receiver got, checked with the library's own verifier."""
    verifier = Verifier(endpoint.secret)
    return [verifier.verify(body, headers) for headers, body in receiver.requests]


def test_secret_is_in_standard_webhooks_format(endpoint):
    assert endpoint.secret.startswith("whsec_")
    Verifier(endpoint.secret)  # decodes


def test_comment_created_is_signed_and_verifies(endpoint, receiver, committed):
    with committed():
        comment = make_comment(body="Hello, world")
    [payload] = verified(endpoint, receiver)
    assert payload["type"] == "comment.created"
    assert payload["data"]["id"] == comment.pk
    assert payload["data"]["body"] == "Hello, world"


def test_a_tampered_body_does_not_verify(endpoint, receiver, committed):
    with committed():
        make_comment()
    headers, body = receiver.requests[0]
    with pytest.raises(Exception, match="signature"):
        Verifier(endpoint.secret).verify(body.replace(b"Comment", b"Cmment"), headers)


def test_payload_has_no_guest_email_or_ip(endpoint, receiver, committed):
    with committed():
        make_comment(guest_email="private@example.org", ip_address="203.0.113.9")
    _, body = receiver.requests[0]
    assert b"private@example.org" not in body
    assert b"203.0.113" not in body


def test_every_event_is_sent(endpoint, receiver, committed, lists_):
    article = make_article()
    with committed():
        held = make_comment(article, status=Comment.Status.PENDING)
        comment_approve(comment=held)
        other = make_comment(article, status=Comment.Status.PENDING)
        comment_set_status(comment=other, status=Comment.Status.REJECTED)
        flagged = make_comment(article)
        comment_flag(comment=flagged, voter="v:1", reason="spam", ip_address="198.51.100.1")
        comment_delete(comment=flagged)
        rating_set(article=article, voter="v:2", stars=4, enforce_limits=False)
        subscriber = make_subscriber("a@example.org", lists_, status=Subscription.Status.PENDING)
        newsletter.subscription_confirm(
            token=tokens.confirm_token(subscriber=subscriber, list_ids=[lists_.pk])
        )
    assert set(receiver.events()) == set(Event.values)
    assert [p["type"] for p in verified(endpoint, receiver)] == receiver.events()


@pytest.fixture
def lists_(db):
    return NewsletterList.objects.create(slug="morning", name="Morning Briefing")


def test_only_subscribed_events_are_sent(receiver, committed):
    Webhook.objects.create(url=receiver.url, events=["comment.deleted"])
    with committed():
        make_comment()
    assert receiver.requests == []


def test_an_event_that_rolls_back_sends_nothing(endpoint, receiver, committed):
    with pytest.raises(RuntimeError), committed():
        from django.db import transaction

        with transaction.atomic():
            make_comment()
            raise RuntimeError
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_a_failing_receiver_is_retried_then_succeeds(endpoint, receiver, committed):
    receiver.statuses = [500, 503]
    with committed():
        make_comment()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 500)
    WebhookDelivery.objects.update(next_attempt_at=delivery.created_at)  # now due
    deliver_due()
    WebhookDelivery.objects.update(next_attempt_at=delivery.created_at)
    deliver_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    ids = {headers["webhook-id"] for headers, _ in receiver.requests}
    assert ids == {delivery.message_id}  # the same message every time
    assert len(verified(endpoint, receiver)) == 3


def test_retries_back_off_and_stop_after_a_day(endpoint, receiver, committed, settings):
    receiver.statuses = [500] * 50
    with committed():
        make_comment()
    delivery = WebhookDelivery.objects.get()
    gaps = []
    while delivery.status == "failed":
        gaps.append(delivery.next_attempt_at - delivery.created_at)
        WebhookDelivery.objects.update(next_attempt_at=delivery.created_at)
        WebhookDelivery.objects.update(created_at=delivery.created_at - gaps[-1])
        deliver_due()
        delivery.refresh_from_db()
    assert delivery.status == "given_up"
    assert gaps == sorted(gaps) and len(gaps) > 3


def test_a_private_address_is_refused(receiver, committed, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    Webhook.objects.create(url=receiver.url, events=["comment.created"])
    with committed():
        make_comment()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.last_error.startswith("refused")
    assert receiver.requests == []


def test_cloud_metadata_is_refused_even_when_private_is_allowed(receiver, committed, settings):
    Webhook.objects.create(url="http://169.254.169.254/latest", events=["comment.created"])
    with committed():
        make_comment()
    assert WebhookDelivery.objects.get().last_error.startswith("refused")


def test_a_hanging_receiver_does_not_hold_the_request(endpoint, receiver, committed, settings):
    settings.WEBHOOKS_SEND_IN_THREAD = True
    receiver.delay = 1.5
    started = time.monotonic()
    with committed():
        make_comment()
    assert time.monotonic() - started < 1.0


def test_send_again_queues_a_given_up_delivery(endpoint, receiver, committed):
    from webhooks.services import delivery_resend

    with committed():
        make_comment()
    WebhookDelivery.objects.update(status="given_up")
    with committed():
        delivery_resend(deliveries=WebhookDelivery.objects.all())
    assert WebhookDelivery.objects.get().status == "delivered"
    assert len(receiver.requests) == 2


def test_slack_endpoint_gets_a_moderator_alert_for_held_comments(receiver, committed):
    Webhook.objects.create(
        url=receiver.url, events=["comment.created"], format=Webhook.Format.SLACK
    )
    with committed():
        make_comment()  # published: no alert
        make_comment(status=Comment.Status.PENDING, body="Please look")
    [(_, body)] = receiver.requests
    assert "Please look" in json.loads(body)["text"]


def test_endpoints_are_held_by_the_process_and_a_new_one_is_seen_at_once(
    receiver, committed, monkeypatch
):
    """Every post asks which endpoints are active: with a shared cache the process
    holds the list a few seconds (one Redis read fewer per post); an endpoint saved
    here is told of the very next comment."""
    from articles import held
    from webhooks import services

    monkeypatch.setattr(held, "is_shared", lambda: True)
    reads = []
    original = services._read_active
    monkeypatch.setattr(services, "_read_active", lambda: reads.append(1) or original())
    assert services.active_endpoints() == []
    assert services.active_endpoints() == []
    assert len(reads) == 1
    Webhook.objects.create(url=receiver.url, events=list(Event.values))
    with committed():
        make_comment()
    assert receiver.events() == ["comment.created"]


def test_an_endpoint_deleted_elsewhere_gets_no_delivery_while_still_held_here(
    endpoint, receiver, committed, monkeypatch
):
    """Another process deleted the endpoint; this one still holds it for a few seconds.
    The deliveries are written from the shared list, so no row points at the gone id."""
    from articles import held
    from webhooks import services

    monkeypatch.setattr(held, "is_shared", lambda: True)
    stale = services.active_endpoints()
    Webhook.objects.filter(pk=endpoint.pk).delete()
    services._active.get(lambda: stale)  # what the other processes still hold
    assert services.wanted("comment.created")
    with committed():
        make_comment()
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []
