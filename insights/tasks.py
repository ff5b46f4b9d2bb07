from celery import shared_task

from insights import services


@shared_task(name="insights.tasks.prepare_snapshot")
def prepare_snapshot():
    """Reconcile: the last closed quarter's snapshot exists and governance was told (once)."""
    return services.snapshot_prepare()
