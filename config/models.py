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
