"""Email moderators the list of comments waiting for review, now (for cron).

With Celery beat running, ``comments.tasks.send_moderation_digest`` does the same every
``COMMENTS_MODERATOR_EMAIL_INTERVAL`` seconds.
"""

from django.core.management.base import BaseCommand

from comments import tasks


class Command(BaseCommand):
    help = "Email moderators the comments waiting for review (if any), ignoring the batching."

    def handle(self, *args, **options):
        sent = tasks.send_moderation_digest()
        self.stdout.write(f"Sent the moderation digest to {sent} moderator(s).")
