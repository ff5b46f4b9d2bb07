"""Poison work, bounded. Every task is acknowledged after it ran and put back on the queue when its
worker dies (config.celery.BatonTask), so a killed worker loses nothing; but a task that kills its
worker every time (it runs out of memory, it crashes the interpreter) would come back for ever.

Each run is counted as it starts (a ``TaskRun`` row, committed before the task's own work) and
forgotten when it ends, however it ends. A task that starts again after ``TASK_MAX_LOST_WORKERS``
lost workers is not run: it is parked, acknowledged, and the rest of the queue flows on. Admins
see parked tasks with their arguments and error (admin → Task runs) and retry them by hand.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.errors import require
from core.models import TaskRun

logger = logging.getLogger(__name__)


def started(task_id, name, args, kwargs):
    """Count a start of ``task_id``; False if it must not run (parked now or before)."""
    now = timezone.now()
    with transaction.atomic():
        run, _ = TaskRun.objects.select_for_update().get_or_create(
            task_id=task_id,
            defaults={"name": name, "args": list(args), "kwargs": dict(kwargs), "first_started_at": now},
        )
        if run.parked_at is not None:
            return False
        if run.starts >= settings.TASK_MAX_LOST_WORKERS:
            run.parked_at = now
            run.error = (
                f"Its worker was lost {run.starts} times while running it (killed, or out of memory): "
                "parked so that the rest of the queue keeps flowing."
            )
            run.save(update_fields=["parked_at", "error"])
            logger.error("Parked %s[%s] after %s lost workers.", name, task_id, run.starts)
            return False
        run.starts += 1
        run.last_started_at = now
        run.save(update_fields=["starts", "last_started_at"])
    return True


def finished(task_id):
    """The run ended (done, failed or to be retried): nothing is left to count."""
    TaskRun.objects.filter(task_id=task_id, parked_at__isnull=True).delete()


def parked():
    return TaskRun.objects.filter(parked_at__isnull=False)


@transaction.atomic
def parked_retry(user, run):
    """Send a parked task again, by hand (an admin who fixed what killed its workers)."""
    require(user.is_superuser, "Only admins retry parked tasks.")
    run = TaskRun.objects.select_for_update().get(pk=run.pk)
    if run.parked_at is None:
        raise ValidationError("This task is not parked.")
    name, args, kwargs = run.name, run.args, run.kwargs
    audit.record(user, "task.retried", run, note=f"{name} {args} {kwargs}")
    run.delete()
    # config.celery is loaded before the apps are ready and imports this module lazily: imported
    # here for the same reason.
    from config.celery import app

    # A new task id: the worker remembers the old one as finished and would not put it back again.
    transaction.on_commit(lambda: app.send_task(name, args=args, kwargs=kwargs))
