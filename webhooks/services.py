"""Queueing events for endpoints and delivering them, signed per Standard Webhooks."""

import json
import logging
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook as Signer

from articles.held import HeldBriefly
from social import safe_fetch
from webhooks.models import Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

# Slack-format endpoints are told only of what moderators must look at.
SLACK_EVENTS = {"comment.created", "comment.flagged"}


ACTIVE_KEY = "webhooks:active"
# Another process's new or changed endpoint is told of events within this many seconds.
ACTIVE_HELD_SECONDS = 5.0
_active = HeldBriefly(ACTIVE_HELD_SECONDS)


def active_endpoints() -> list[dict]:
    """The active endpoints as ``{id, events, format}``: held by the process a few
    seconds, else from the cache (every comment and vote asks: without endpoints,
    webhooks must cost no query). Saving or deleting an endpoint forgets the list
    (webhooks/receivers.py)."""
    return _active.get(_read_active)


def _read_active() -> list[dict]:
    found = cache.get(ACTIVE_KEY)
    if found is None:
        found = list(Webhook.objects.filter(active=True).values("id", "events", "format"))
        cache.set(ACTIVE_KEY, found, 300)
    return found


def _forget_active() -> None:
    cache.delete(ACTIVE_KEY)
    _active.forget()


def endpoints_forget() -> None:
    transaction.on_commit(_forget_active)
    _forget_active()


def wanted(event: str) -> bool:
    """Whether any active endpoint takes ``event`` (receivers build nothing otherwise)."""
    return any(event in hook["events"] for hook in active_endpoints())


def deliveries_queue(*, event: str, data: dict, slack: dict | None = None) -> int:
    """Write one delivery per active endpoint subscribed to ``event``, in the caller's
    transaction (the outbox), and have them sent once it commits. ``slack``: the
    moderator alert for Slack-format endpoints (None: they are not told). Never raises:
    the event's own request must not fail because of a webhook."""
    try:
        with transaction.atomic():
            rows = []
            # The shared list, not this process's held copy: an endpoint deleted in
            # another process in the last seconds must get no row (its id is gone).
            for hook in _read_active():
                if event not in hook["events"]:
                    continue
                if hook["format"] == Webhook.Format.SLACK:
                    if slack is None or event not in SLACK_EVENTS:
                        continue
                    payload = slack
                else:
                    payload = {"type": event, "timestamp": timezone.now().isoformat(), "data": data}
                rows.append(
                    WebhookDelivery(
                        webhook_id=hook["id"],
                        message_id=WebhookDelivery.new_message_id(),
                        event=event,
                        payload=payload,
                        next_attempt_at=timezone.now(),
                    )
                )
            created = WebhookDelivery.objects.bulk_create(rows)
    except DatabaseError:
        logger.exception("webhook deliveries for %s not queued", event)
        return 0
    if created:
        ids = [row.pk for row in created]
        transaction.on_commit(lambda: _dispatch(ids))
    return len(created)


def _dispatch(ids: list[int]) -> None:
    from webhooks import tasks

    for pk in ids:
        tasks.start(pk)


def backoff(attempts: int) -> timedelta:
    """Seconds before retry number ``attempts``: 10 s, 30 s, 90 s… at most 6 hours."""
    return timedelta(seconds=min(10 * 3 ** (attempts - 1), 6 * 3600))


def signed_request(*, hook: Webhook, delivery: WebhookDelivery) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one attempt (a fresh timestamp, the same message id)."""
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
    now = datetime.now(tz=UTC)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"{settings.SITE_NAME} webhooks (+{settings.SITE_URL})",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Signer(hook.secret).sign(delivery.message_id, now, body),
    }
    return body.encode(), headers


def delivery_claim(*, delivery_id: int) -> WebhookDelivery | None:
    """Take a due delivery for one attempt, or None when it is not due (sent, given up,
    or being tried by another worker: the lease below outlasts any attempt)."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.WEBHOOKS_TIMEOUT + 60)
    claimed = WebhookDelivery.objects.filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True),
        pk=delivery_id,
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED],
    ).update(next_attempt_at=lease)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST under the SSRF guard (social/safe_fetch.py); the status and at most
    ``WEBHOOKS_MAX_RESPONSE_BYTES`` of the answer."""
    deadline = time.monotonic() + settings.WEBHOOKS_TIMEOUT
    with safe_fetch.url_post(
        url,
        body=body,
        headers=headers,
        deadline=deadline,
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE,
        ports=settings.WEBHOOKS_PORTS,
    ) as response:
        return response.status, response.read(settings.WEBHOOKS_MAX_RESPONSE_BYTES)


def delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """Try a due delivery once and record the outcome: delivered on a 2xx answer, else
    failed with its next attempt after ``backoff``, or given up once that would fall
    past ``WEBHOOKS_RETRY_FOR`` after the event."""
    delivery = delivery_claim(delivery_id=delivery_id)
    if delivery is None:
        return None
    body, headers = signed_request(hook=delivery.webhook, delivery=delivery)
    code, error = None, ""
    try:
        code, _answer = _post(delivery.webhook.url, body, headers)
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except safe_fetch.FetchRefused as exc:
        error = f"refused: {exc}"
    except Exception as exc:  # timeouts, refused connections, bad answers
        error = f"{type(exc).__name__}: {exc}" or "error"
    delivery.attempts += 1
    delivery.last_status_code = code
    delivery.last_error = error[:500]
    now = timezone.now()
    if not error:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at, delivery.next_attempt_at = now, None
    else:
        retry_at = now + backoff(delivery.attempts)
        give_up = retry_at > delivery.created_at + timedelta(seconds=settings.WEBHOOKS_RETRY_FOR)
        delivery.status = (
            WebhookDelivery.Status.GIVEN_UP if give_up else WebhookDelivery.Status.FAILED
        )
        delivery.next_attempt_at = None if give_up else retry_at
        logger.warning("webhook %s to %s: %s", delivery.message_id, delivery.webhook.url, error)
    delivery.save(
        update_fields=[
            "attempts",
            "last_status_code",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return delivery


def deliveries_due(*, now=None) -> list[int]:
    """The deliveries whose (re)try is due (the periodic sweep's work)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED],
            next_attempt_at__lte=now,
        ).values_list("pk", flat=True)[:500]
    )


def delivery_resend(*, deliveries) -> int:
    """ "Send again" (the admin): due now, whatever happened before, with a fresh 24 h
    of retries counted from now."""
    ids = list(deliveries.values_list("pk", flat=True))
    WebhookDelivery.objects.filter(pk__in=ids).update(
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at=timezone.now(),
        created_at=timezone.now(),
    )
    transaction.on_commit(lambda: _dispatch(ids))
    return len(ids)
