"""The Celery application. Tasks run in-process unless a broker is configured."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsite.settings")

app = Celery("newsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _schedule_periodic_tasks(sender, **kwargs):
    # Read here, not at import: this module loads while the settings are still loading.
    from django.conf import settings

    interval = settings.COMMENTS_MODERATOR_EMAIL_INTERVAL
    if interval > 0:
        # The batched "comments are waiting" email, also for comments held inside a
        # quiet period (see comments.tasks.notify_moderators_pending).
        sender.add_periodic_task(
            interval,
            sender.signature("comments.tasks.send_moderation_digest"),
            name="comments: moderation digest",
        )


@app.on_after_configure.connect
def _schedule_social_fetch(sender, **kwargs):
    from django.conf import settings

    # The sidebar's social box: read every active RSS/Atom source (social.tasks).
    sender.add_periodic_task(
        settings.SOCIAL_FETCH_INTERVAL,
        sender.signature("social.tasks.fetch_social_sources"),
        name="social: fetch feeds",
    )


@app.on_after_configure.connect
def _schedule_outbox_drain(sender, **kwargs):
    # Emails whose task could not be queued (broker down) or that failed and are due
    # for a retry (comments.tasks.drain_outbox).
    sender.add_periodic_task(
        60.0, sender.signature("comments.tasks.drain_outbox"), name="comments: drain outbox"
    )
