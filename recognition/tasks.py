from celery import shared_task

from recognition import services


@shared_task(
    name="recognition.tasks.notify_recognition",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def notify_recognition(recognition_id):
    """Mail the recognised team's members (or the author when hidden), once."""
    return services.send_notices(recognition_id)


@shared_task(name="recognition.tasks.reconcile_notices", acks_late=True)
def reconcile_notices():
    """Send any recognition mail an outage held up (idempotent)."""
    return services.reconcile_notices()
