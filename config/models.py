from django.db import models


class Heartbeat(models.Model):
    """The last time a scheduled heartbeat task ran on a worker.

    Beat sends the task on a schedule and a worker runs it, so a recent
    ``beat_at`` proves both are alive; /health/ reads it.
    """

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()
    worker = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class ScheduledJob(models.Model):
    """A periodic task that beat sends, adjustable in the admin without a deploy.

    config.scheduler.DatabaseScheduler reads these rows; entries of
    CELERY_BEAT_SCHEDULE are created here on migrate (never overwritten).
    """

    name = models.CharField(max_length=100, unique=True)
    task = models.CharField(max_length=200)
    every_seconds = models.PositiveIntegerField(help_text="Run every this many seconds.")
    enabled = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} every {self.every_seconds}s"
