"""Shared Celery plumbing: the heartbeat task and the on-commit enqueue helper."""

import logging
import socket

import redis.exceptions
from celery import shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from core import delivery
from core.models import Heartbeat

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, countdown=None, **kwargs):
    """Send ``task`` once the surrounding transaction commits (and ``countdown`` seconds later).

    A broker that is down does not fail the user's request: publishing gives
    up within about two seconds (CELERY_BROKER_CONNECTION_TIMEOUT and the
    publish retry policy in settings), the failure is logged and the work is
    picked up by the task's reconcile run, which derives what is due from the
    database (DESIGN.md, Background work). The result is not kept: the task
    records its effects in the database, and subscribing to a result would
    make the request wait on the result backend's reconnect loop.
    """

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs, countdown=countdown or None, ignore_result=True)
        except (OperationalError, redis.exceptions.RedisError, ConnectionError, TimeoutError):
            logger.warning("Broker unavailable; %s will be picked up by its reconcile run.", task.name)

    transaction.on_commit(send)


@shared_task(name="core.tasks.heartbeat")
def heartbeat():
    """Record that beat and a worker are alive."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name="worker", defaults={"beat_at": now, "worker": socket.gethostname()})
    return now.isoformat()


@shared_task(name="core.tasks.deliver_notifications")
def deliver_notifications():
    """Send the notifications that are due by email, Slack and digest (core.delivery)."""
    return delivery.deliver_pending()


@shared_task(name="core.tasks.purge_notifications")
def purge_notifications():
    return delivery.purge()
