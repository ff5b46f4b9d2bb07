"""Applying deliveries in the background. Each task is safe to run twice or late: a delivery's
status says whether it was applied, and the reconcile run applies whatever is still waiting
(a broker that was down, a worker killed mid-apply)."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from integrations import apply, outbound, services
from integrations.models import Delivery, DeliveryStatus, Record
from reviews.models import Incident

logger = logging.getLogger(__name__)

#: The reconcile leaves the newest deliveries to their own task.
GRACE_SECONDS = 10
BATCH = 500


@shared_task(name="integrations.tasks.apply_delivery")
def apply_delivery(delivery_id):
    return apply.delivery_apply(delivery_id)


@shared_task(name="integrations.tasks.apply_waiting")
def apply_waiting():
    """Apply every delivery still waiting (oldest first); returns how many were applied."""
    cutoff = timezone.now() - timedelta(seconds=GRACE_SECONDS)
    waiting = Delivery.objects.filter(status=DeliveryStatus.RECEIVED, received_at__lte=cutoff)
    ids = list(waiting.order_by("received_at", "id").values_list("id", flat=True)[:BATCH])
    # Records linked while the broker was down: what they sent before still waits.
    linked = Record.objects.exclude(incident=None).filter(
        deliveries__status=DeliveryStatus.IGNORED, deliveries__reason=apply.NOT_TRACKED
    )
    for record_id in linked.values_list("id", flat=True).distinct()[:BATCH]:
        replay_record(record_id)
    applied = 0
    for delivery_id in ids:
        try:
            apply.delivery_apply(delivery_id)
            applied += 1
        except Exception:  # one delivery the database cannot take now must not hold up the others
            logger.exception("Delivery %s stays waiting.", delivery_id)
    return applied


@shared_task(name="integrations.tasks.replay_record")
def replay_record(record_id):
    """Apply what a record's tool sent before the record was linked to an incident."""
    with transaction.atomic():
        record = Record.objects.select_for_update(of=("self",)).select_related("source").filter(pk=record_id).first()
        if record is not None and record.incident_id is not None:
            # The same locks, in the same order, as applying a delivery: record, then incident.
            record.incident = Incident.objects.select_for_update().get(pk=record.incident_id)
            apply.replay_ignored(record)


@shared_task(name="integrations.tasks.send_webhooks")
def send_webhooks():
    """Turn new audit events into outgoing messages and send those due (idempotent)."""
    made = outbound.fan_out()
    return {"made": made} | outbound.send_due()


@shared_task(name="integrations.tasks.create_tracker_issue")
def create_tracker_issue(link_id):
    return services.tracker_issue_create(link_id)


@shared_task(name="integrations.tasks.sync_trackers")
def sync_trackers():
    """Reconcile action items with their issues both ways (idempotent)."""
    return services.trackers_sync()
