"""The Celery application. Tasks run in-process unless a broker is configured."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsite.settings")

app = Celery("newsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
