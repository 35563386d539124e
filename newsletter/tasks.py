"""Background jobs: confirmation emails and sending issues in batches.

With no broker they run in-process (``CELERY_TASK_ALWAYS_EAGER``); a batch that leaves
work behind enqueues the next one, so a big list goes out as a chain of short tasks.
"""

from celery import shared_task

from newsletter import emails, services
from newsletter.models import NewsletterList, Subscriber

# Failed deliveries are retried (up to models.MAX_ATTEMPTS) after this pause.
RETRY_DELAY_SECONDS = 300


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_confirmation_email(subscriber_id: int, list_ids: list[int]) -> bool:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    lists = list(NewsletterList.objects.filter(pk__in=list_ids))
    if subscriber is None or not lists:
        return False
    emails.send_confirmation(subscriber=subscriber, lists=lists)
    return True


# acks_late (the project default): a worker that dies mid-batch leaves the task to be
# redelivered; rows it had not committed as sent are pending again.
@shared_task(acks_late=True)
def send_issue_batch(issue_id: int) -> int:
    """Send one batch of an issue, then enqueue the next while work remains: at once
    for never-tried deliveries, after a pause for failed ones. A run that found every
    row taken by other workers stops: those workers carry on."""
    result = services.issue_send_batch(issue_id=issue_id)
    if result.attempted and result.pending:
        send_issue_batch.delay(issue_id)
    elif result.attempted and result.retryable:
        send_issue_batch.apply_async((issue_id,), countdown=RETRY_DELAY_SECONDS)
    return result.sent
