from datetime import date

from celery import shared_task

from playbook import services


@shared_task(name="playbook.tasks.reconcile_quarterly_cycle")
def reconcile_quarterly_cycle(today=None):
    """Make sure this quarter's review tasks exist, then send due reminders and
    escalations. Idempotent: safe twice, late or concurrently. ``today`` (ISO
    date) is for running it as of a given day."""
    day = date.fromisoformat(today) if today else None
    created = services.cycle_reconcile(day)
    sent = services.task_notices_send(day)
    return {"tasks_created": created, "notices_sent": sent}


@shared_task(name="playbook.tasks.send_task_notices")
def send_task_notices(task_id):
    """Send the mail a governance owner's action on one task made due (reassigned, remind now), once."""
    return services.task_notices_send(task_ids=[task_id])
