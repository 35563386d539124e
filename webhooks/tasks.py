"""Sending webhook deliveries: one task per delivery once its event commits, and a
periodic sweep for retries and for deliveries whose task was lost."""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import connection

from webhooks import services

logger = logging.getLogger(__name__)


@shared_task(name="webhooks.tasks.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    services.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.tasks.deliver_due", ignore_result=True)
def deliver_due() -> None:
    """Retries that are due, and deliveries never sent (their task was lost)."""
    for pk in services.deliveries_due():
        services.delivery_attempt(delivery_id=pk)


def _in_thread(delivery_id: int) -> None:
    try:
        services.delivery_attempt(delivery_id=delivery_id)
    except Exception:
        logger.exception("webhook delivery %s", delivery_id)
    finally:
        connection.close()


def start(delivery_id: int) -> threading.Thread | None:
    """Send a committed delivery: by a worker, or (tasks in-process) from a thread so
    that the request does not wait for the endpoint. Returns the thread, if any."""
    if settings.WEBHOOKS_SEND_IN_THREAD:
        thread = threading.Thread(target=_in_thread, args=(delivery_id,), daemon=True)
        thread.start()
        return thread
    deliver_webhook.enqueue(delivery_id)
    return None
