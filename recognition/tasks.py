from celery import shared_task

from recognition import services


@shared_task(name="recognition.tasks.notify_recognition")
def notify_recognition(recognition_id):
    """Mail the recognised team's members (or the author when hidden), once."""
    return services.send_notices(recognition_id)


@shared_task(name="recognition.tasks.reconcile_notices")
def reconcile_notices():
    """Send any recognition mail an outage held up (idempotent)."""
    return services.reconcile_notices()
