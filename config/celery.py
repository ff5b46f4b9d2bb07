"""The Celery application: configured from Django settings (CELERY_*), tasks
autodiscovered from each app's tasks.py.

Every task shares one delivery policy (``BatonTask``): acknowledged only after
it has run, redelivered when its worker dies (but parked after a few lost
workers, core/runs.py), retried with backoff on the transient errors of the
broker, the database and the mail server. Tasks are
idempotent (their effects are recorded in the database), so a redelivery or a
retry repeats nothing that was already done.
"""

import contextlib
import os
import smtplib

import redis.exceptions
from celery import Celery, Task
from celery.signals import worker_ready
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Transient failures worth another try: the broker or Redis unreachable, the
# database locked, restarting or unreachable, the mail server refusing for now
# or unreachable. Anything else is a bug or bad data and fails at once.
TRANSIENT_ERRORS = (
    BrokerOperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    DatabaseOperationalError,
    DatabaseInterfaceError,
    smtplib.SMTPException,
    ConnectionError,
    TimeoutError,
)


class BatonTask(Task):
    """The delivery policy of every Baton task (see the module docstring)."""

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = True  # 1 s, 2 s, 4 s … with jitter, at most 10 minutes apart
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5

    def __call__(self, *args, **kwargs):
        task_id = self.request.id
        counted = bool(task_id) and not self.request.is_eager and not self.request.called_directly
        if counted:
            # The apps are not ready when this module is imported (config/__init__.py loads it).
            from core import runs

            try:
                if not runs.started(task_id, self.name, args, kwargs):
                    return None  # parked: acknowledged, not run (core/runs.py)
            except TRANSIENT_ERRORS:
                counted = False  # the database is unwell: run it uncounted; its own work retries
        try:
            return super().__call__(*args, **kwargs)
        finally:
            if counted:
                from core import runs

                # A row left behind (the database unwell) counts one lost worker too many, at worst.
                with contextlib.suppress(TRANSIENT_ERRORS):
                    runs.finished(task_id)


app = Celery("baton", task_cls=BatonTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def heartbeat_on_start(sender, **kwargs):
    """Report a worker as alive at once instead of after the first beat interval."""
    sender.app.send_task("core.tasks.heartbeat")
