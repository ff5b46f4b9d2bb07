"""Shared Celery plumbing: the heartbeat task and the on-commit enqueue helper."""

import logging
import socket

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs):
    """Send ``task`` once the surrounding transaction commits.

    A broker that is down does not fail the user's request: the failure is
    logged and the work is picked up by the task's reconcile run, which
    derives what is due from the database (DESIGN.md, Background work).
    """

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except OperationalError:
            logger.warning("Broker unavailable; %s will be picked up by its reconcile run.", task.name)

    transaction.on_commit(send)


@shared_task(name="config.tasks.heartbeat")
def heartbeat():
    """Record that beat and a worker are alive."""
    from config.models import Heartbeat

    now = timezone.now()
    Heartbeat.objects.update_or_create(name="worker", defaults={"beat_at": now, "worker": socket.gethostname()})
    return now.isoformat()
