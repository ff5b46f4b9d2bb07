"""Deliveries under faults, with real processes: Redis down while they arrive, a worker killed
with SIGKILL half-way through applying one, and a burst of 1,000. Every test asserts the same
outcome: each delivery applied exactly once, none lost. Each prints an ``INTEGRATIONS`` line."""

import os
import signal
import time
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from integrations import services
from integrations.models import Delivery, DeliveryStatus, Record, SourceKind
from reviews.models import OwnershipRole, TimelineEntry
from tests import vendors
from tests.factories import UserFactory
from tests.faults import celery_pointed_at, wait_for

pytestmark = pytest.mark.redis


def report(name, **figures):
    print(f"\nINTEGRATIONS {name}: " + ", ".join(f"{key}={value}" for key, value in figures.items()))


def generic_source(facilitator):
    return services.source_create(facilitator, kind=SourceKind.GENERIC, name="Ops tool")


def send(live_server, source, secret, payload, msg_id):
    body = vendors.encode(payload)
    return requests.post(
        live_server.url + source.webhook_path(), data=body, headers=vendors.standard(secret, body, msg_id), timeout=30
    )


def incident_event(record, hours_ago=3):
    at = (timezone.now() - timedelta(hours=hours_ago)).isoformat()
    return {
        "type": "incident",
        "record": record,
        "at": at,
        "incident": {"title": f"Escalation {record}", "customer": "Globex"},
    }


def entry_event(record, number, minutes_ago=60):
    at = (timezone.now() - timedelta(minutes=minutes_ago)).isoformat()
    return {
        "type": "timeline",
        "record": record,
        "at": at,
        "kind": "internal_update",
        "text": f"Update {number}",
        "ref": f"u-{number}",
    }


def test_with_redis_down_deliveries_are_stored_and_applied_once_it_is_back(
    live_server, workers, own_redis, settings, monkeypatch, facilitator
):
    source, secret = generic_source(facilitator)
    with celery_pointed_at(own_redis.url, settings, monkeypatch) as app:
        own_redis.stop()
        slowest = 0.0
        for number in range(20):
            payload = incident_event("INC-1") if number == 0 else entry_event("INC-1", number)
            started = time.monotonic()
            response = send(live_server, source, secret, payload, f"down-{number}")
            slowest = max(slowest, time.monotonic() - started)
            assert response.status_code == 202, response.text
        assert slowest < 5, f"answering took {slowest:.1f}s with Redis down"
        assert Delivery.objects.filter(status=DeliveryStatus.RECEIVED).count() == 20

        own_redis.start()  # empty: none of the 20 tasks was ever queued
        workers("after", env={"CELERY_BROKER_URL": own_redis.url, "CELERY_RESULT_BACKEND": own_redis.url})
        Delivery.objects.update(received_at=timezone.now() - timedelta(minutes=1))  # older than the reconcile's grace
        from integrations.tasks import apply_waiting

        assert apply_waiting.delay().get(timeout=120) == 20
        assert apply_waiting.delay().get(timeout=60) == 0  # beat's next run: nothing twice
        assert app is not None
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.APPLIED}
    assert TimelineEntry.objects.count() == 19
    report("redis-outage", received=20, slowest_answer=f"{slowest:.2f}s", applied=20, duplicates=0, lost=0)


def test_a_worker_killed_mid_apply_leaves_the_delivery_to_be_applied_once(live_server, workers, facilitator):
    UserFactory(username="priya", email="priya.raman@acme.example")
    with vendors.VendorAPI() as api:
        api.directory.people["PQ7R2MA"] = ("Priya Raman", "priya.raman@acme.example")
        api.directory.hold_path = "/users/PQ7R2MA"
        source, secret = services.source_create(
            facilitator,
            kind=SourceKind.PAGERDUTY,
            name="PagerDuty",
            secret="pd-secret",
            api_url=api.url,
            api_token=api.directory.token,
        )
        doomed = workers("doomed")
        body = vendors.encode(vendors.fixture("pagerduty/02_incident_acknowledged"))
        response = requests.post(
            live_server.url + source.webhook_path(), data=body, headers=vendors.pagerduty(secret, body), timeout=30
        )
        assert response.status_code == 202
        assert api.directory.held.wait(60), "the worker never reached the lookup"
        os.killpg(doomed.pid, signal.SIGKILL)  # mid-apply: the incident is made, the role not yet
        doomed.wait(timeout=10)
        api.directory.hold_path = None
        api.directory.release.set()
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.RECEIVED and not Record.objects.exclude(incident=None).exists()

        killed_at = time.monotonic()
        workers("heir", env={"CELERY_VISIBILITY_TIMEOUT": "3"})
        wait_for(lambda: Delivery.objects.get().status == DeliveryStatus.APPLIED, 90, "the redelivered task")
        recovered_in = time.monotonic() - killed_at
    incident = Record.objects.get(source=source).incident
    assert incident.assignments.filter(role=OwnershipRole.INVESTIGATION_LEAD).count() == 1
    assert incident.acknowledged_at is not None
    assert Delivery.objects.get().attempts == 1
    report(
        "worker-sigkill-mid-apply", faults=1, applied=1, duplicates=0, lost=0, redelivered_after=f"{recovered_in:.1f}s"
    )


def test_a_burst_of_a_thousand_deliveries_is_applied_without_loss(live_server, workers, facilitator):
    source, secret = generic_source(facilitator)
    workers("burst")
    records = [f"INC-{n}" for n in range(20)]
    started = time.monotonic()
    answers = []
    for number in range(1000):
        record = records[number % 20]
        payload = incident_event(record) if number < 20 else entry_event(record, number)
        before = time.monotonic()
        assert send(live_server, source, secret, payload, f"burst-{number}").status_code == 202
        answers.append(time.monotonic() - before)
    sent_in = time.monotonic() - started
    wait_for(
        lambda: not Delivery.objects.filter(status=DeliveryStatus.RECEIVED).exists(), 300, "every delivery applied"
    )
    applied_in = time.monotonic() - started
    assert Delivery.objects.count() == 1000
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.APPLIED}
    assert TimelineEntry.objects.count() == 980
    assert Record.objects.exclude(incident=None).count() == 20
    answers.sort()
    report(
        "burst",
        deliveries=1000,
        sent_in=f"{sent_in:.1f}s",
        answer_p95=f"{answers[949] * 1000:.0f}ms",
        all_applied_after=f"{applied_in:.1f}s",
        lost=0,
    )
