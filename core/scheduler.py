"""A Celery beat scheduler whose schedule lives in the database (ScheduledJob),
so an administrator can change it in the admin without a deploy.

Beat re-reads the table every ``sync_every`` seconds and records each job's
last run, so a restarted beat continues where it left off.
"""

from datetime import timedelta

from celery.beat import ScheduleEntry, Scheduler
from django.db import close_old_connections


class DatabaseScheduler(Scheduler):
    sync_every = 15  # seconds between reloads of the table and saves of last runs
    #: The scheduler loop wakes at least this often, to notice admin changes.
    max_interval = 15

    def setup_schedule(self):
        self._schedule = {}
        self._load()

    def _load(self):
        # Beat imports this module before Django's app registry is ready: models are imported on use.
        from core.models import ScheduledJob

        close_old_connections()
        fresh = {}
        for job in ScheduledJob.objects.filter(enabled=True):
            current = self._schedule.get(job.name)
            interval = timedelta(seconds=job.every_seconds)
            if current is not None and current.task == job.task and current.schedule.run_every == interval:
                fresh[job.name] = current
                continue
            # A job that never ran is due at once (a new deployment reconciles straight away).
            last_run = job.last_run_at or (self.app.now() - interval)
            fresh[job.name] = ScheduleEntry(
                name=job.name, task=job.task, schedule=interval, last_run_at=last_run, app=self.app
            )
        self._schedule = fresh

    @property
    def schedule(self):
        return self._schedule

    def sync(self):
        from core.models import ScheduledJob

        close_old_connections()
        for name, entry in self._schedule.items():
            if entry.last_run_at:
                ScheduledJob.objects.filter(name=name).update(last_run_at=entry.last_run_at)
        self._load()


def ensure_scheduled_jobs(**kwargs):
    """Create a ScheduledJob for each CELERY_BEAT_SCHEDULE entry that has none."""
    from django.conf import settings

    from core.models import ScheduledJob

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        ScheduledJob.objects.get_or_create(
            name=name, defaults={"task": entry["task"], "every_seconds": int(entry["schedule"])}
        )
