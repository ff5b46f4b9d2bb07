"""The Celery application: configured from Django settings (CELERY_*), tasks
autodiscovered from each app's tasks.py."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("baton")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def heartbeat_on_start(sender, **kwargs):
    """Report a worker as alive at once instead of after the first beat interval."""
    sender.app.send_task("config.tasks.heartbeat")
