"""Background jobs: confirmation emails and sending issues in batches.

With no broker they run in-process (``CELERY_TASK_ALWAYS_EAGER``); a batch that leaves
work behind enqueues the next one, so a big list goes out as a chain of short tasks.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from newsletter import emails, services
from newsletter.models import Delivery, Issue, NewsletterList, Subscriber

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


def start_sending(issue_id: int) -> None:
    """Start up to ``NEWSLETTER_PARALLEL_BATCHES`` batch chains for an issue, so that
    more workers send it faster: each claims rows the others have not locked, and a
    chain that finds nothing left stops. Called once the issue's deliveries have
    committed: a chain the broker refuses is logged and left to
    ``resume_stalled_issues``."""
    batch = settings.NEWSLETTER_BATCH_SIZE
    unsent = Delivery.objects.filter(issue_id=issue_id).sendable().count()
    chains = max(1, min(settings.NEWSLETTER_PARALLEL_BATCHES, -(-unsent // batch)))
    for _ in range(chains):
        send_issue_batch.enqueue(issue_id)


@shared_task(ignore_result=True)
def resume_stalled_issues() -> int:
    """Periodic (Celery beat, every ``NEWSLETTER_RESUME_INTERVAL``): restart sending for
    issues still marked sending whose deliveries nobody has claimed for that long — their
    chain was lost, e.g. with a broker that restarted empty. Harmless if the chain was
    only slow: a delivery is claimed by one worker only. Returns how many restarted."""
    quiet_since = timezone.now() - timedelta(seconds=settings.NEWSLETTER_RESUME_INTERVAL)
    unsent = Delivery.objects.filter(issue=OuterRef("pk")).sendable()
    stalled = (
        Issue.objects.filter(status=Issue.Status.SENDING, queued_at__lt=quiet_since)
        .filter(Exists(unsent))
        .annotate(last_claim=Max("deliveries__claimed_at"))
        .filter(Q(last_claim__isnull=True) | Q(last_claim__lt=quiet_since))
        .values_list("pk", flat=True)
    )
    stalled = list(stalled)
    for issue_id in stalled:
        start_sending(issue_id)
    return len(stalled)


@shared_task(ignore_result=True)
def forget_unconfirmed_subscribers() -> int:
    """Periodic clean-up (``CLEANUP_INTERVAL``): see
    ``services.subscription_forget_unconfirmed``."""
    return services.subscription_forget_unconfirmed()
