from celery import shared_task

from reviews import services


@shared_task(name="reviews.tasks.send_action_item_reminders")
def send_action_item_reminders():
    """Reconcile: remind owners of action items due soon or overdue (idempotent)."""
    return services.action_item_reminders_send()


@shared_task(name="reviews.tasks.send_score_reminders")
def send_score_reminders():
    """Reconcile: remind participants whose scores are missing days after scoring opened (idempotent)."""
    return services.score_reminders_send()
