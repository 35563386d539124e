"""The Celery application and the schedule of periodic jobs (run by one `celery beat`).

Tasks run in-process unless a broker is configured (``CELERY_BROKER_URL``, or
``REDIS_URL``). Every background job of the site is a task in an app's ``tasks.py``:

- on demand: comment reply/thread emails, moderator alerts, newsletter confirmations
  and issue batches;
- periodic (below): the moderators' digest, the social feeds, the newsletter sweep for
  stalled issues, and the daily clean-up.
"""

import logging
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from kombu.exceptions import OperationalError as BrokerUnavailable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsite.settings")

logger = logging.getLogger(__name__)


class Task(DjangoTask):
    """The base of every task of the site (``task_cls`` of the app below)."""

    def enqueue(self, *args, **kwargs) -> bool:
        """``delay()`` for work that has committed (call it from ``on_commit``, or from
        a task); returns whether it was queued (or ran, in-process). Failing to
        publish is logged, never raised. The request has done its
        work; what must not be lost is in the comment outbox, and lost newsletter
        chains are resumed by a periodic sweep. Publishing fails fast (the broker
        timeouts and retry policy in the settings), so a dead broker costs little."""
        try:
            self.delay(*args, **kwargs)
        except (BrokerUnavailable, OSError) as exc:
            logger.warning("task broker unavailable; %s%s not queued: %s", self.name, args, exc)
        except Exception:
            # E.g. a RuntimeError from a result store's reconnect loop, or the task's
            # own error when tasks run in-process.
            logger.exception("%s%s not queued", self.name, args)
        else:
            return True
        return False


app = Celery("newsite", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def periodic_jobs(settings) -> list[tuple[str, float, str]]:
    """``(name, every N seconds, task)`` for each periodic job the settings turn on."""
    jobs = []
    if settings.COMMENTS_MODERATOR_EMAIL_INTERVAL > 0:
        # The batched "comments are waiting" email, also for comments held inside a
        # quiet period (see comments.tasks.notify_moderators_pending).
        jobs.append(
            (
                "comments: moderation digest",
                settings.COMMENTS_MODERATOR_EMAIL_INTERVAL,
                "comments.tasks.send_moderation_digest",
            )
        )
    if settings.COMMENTS_SPAM_MODEL_INTERVAL > 0:
        # The learned spam filter, trained again once enough new decisions exist.
        jobs.append(
            (
                "comments: retrain the spam model",
                settings.COMMENTS_SPAM_MODEL_INTERVAL,
                "comments.tasks.spam_model_retrain",
            )
        )
    jobs += [
        # Emails whose task could not be queued (broker down) or that failed and are
        # due for a retry (comments.tasks.drain_outbox).
        ("comments: drain outbox", 60.0, "comments.tasks.drain_outbox"),
        # The sidebar's social box: read every active RSS/Atom source.
        (
            "social: fetch feeds",
            settings.SOCIAL_FETCH_INTERVAL,
            "social.tasks.fetch_social_sources",
        ),
        # Issues whose batch chain was lost (a broker restarted empty) are resumed.
        (
            "newsletter: resume stalled issues",
            settings.NEWSLETTER_RESUME_INTERVAL,
            "newsletter.tasks.resume_stalled_issues",
        ),
        # Webhook retries that are due, and deliveries whose task was lost.
        ("webhooks: deliver due", 30.0, "webhooks.tasks.deliver_due"),
        # Insights' daily roll-ups: the last days counted again (staff.rollups).
        ("staff: insights roll-ups", 3600.0, "staff.tasks.daily_stats_rollup"),
        # Clean-up: what would otherwise pile up for ever.
        (
            "newsletter: forget unconfirmed sign-ups",
            settings.CLEANUP_INTERVAL,
            "newsletter.tasks.forget_unconfirmed_subscribers",
        ),
        ("sessions: clear expired", settings.CLEANUP_INTERVAL, "newsite.clear_expired_sessions"),
        # Idempotency keys outlive any retry after COMMENTS_IDEMPOTENCY_TTL.
        ("comments: expire idempotency keys", 3600.0, "comments.tasks.expire_idempotency_keys"),
    ]
    return jobs


@app.on_after_configure.connect
def _schedule_periodic_tasks(sender, **kwargs):
    # Read here, not at import: this module loads while the settings are still loading.
    from django.conf import settings

    for name, every, task in periodic_jobs(settings):
        sender.add_periodic_task(every, sender.signature(task), name=name)


@app.task(name="newsite.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions() -> None:
    """What ``manage.py clearsessions`` does: database sessions are never deleted by
    Django itself once they expire."""
    from importlib import import_module

    from django.conf import settings

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
