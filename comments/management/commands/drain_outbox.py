"""Send the comment emails waiting in the outbox (for cron, where there is no Celery beat).

With Celery beat running, ``comments.tasks.drain_outbox`` does the same every minute.
"""

from django.core.management.base import BaseCommand

from comments import outbox


class Command(BaseCommand):
    help = "Send comment notification emails that are due in the outbox."

    def handle(self, *args, **options):
        sent = outbox.outbox_drain()
        self.stdout.write(f"Sent {sent} outbox message(s).")
