"""Send an issue's remaining deliveries now, batch after batch (for cron, or to finish
an issue by hand after a worker died). Safe to run beside the Celery workers and to run
again: each delivery is claimed with a row lock and marked sent in the same transaction
(``newsletter.services.issue_send_batch``)."""

from django.core.management.base import BaseCommand, CommandError

from newsletter import services
from newsletter.models import Issue


class Command(BaseCommand):
    help = "Send the unsent deliveries of a newsletter issue that is being sent."

    def add_arguments(self, parser):
        parser.add_argument("issue_id", type=int)

    def handle(self, *args, issue_id, **options):
        if not Issue.objects.filter(pk=issue_id).exists():
            raise CommandError(f"There is no issue {issue_id}.")
        sent = 0
        while True:
            result = services.issue_send_batch(issue_id=issue_id)
            sent += result.sent
            # Stop when nothing was tried, or only failures waiting for a retry are left.
            if not result.attempted or not result.pending:
                break
        self.stdout.write(f"Sent {sent} email(s); {result.retryable} to retry later.")
