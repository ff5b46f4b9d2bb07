"""The receiving endpoint under load: ``make bench`` runs it after the pages.

A Jira source (its signature covers the body only, so wrk can replay signed bodies with a new
delivery id each) feeding 50 escalations; wrk POSTs comment events at the endpoint while a real
Celery worker applies them. Measured: the endpoint's throughput and latency (against the same
run's ceiling), and for every delivery the time from receipt to applied.
"""

import contextlib
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = 50
BODIES = 30_000  # more than wrk sends in a run: none repeats
FIXTURE = ROOT / "tests" / "fixtures" / "integrations" / "jira"


def prepare():
    """The source, 50 escalations opened from issue_created, and the signed comment bodies."""
    from django.contrib.auth import get_user_model

    from integrations import apply, services
    from integrations.models import Delivery

    cleanup()
    user = get_user_model().objects.get(username="bench")
    source, secret = services.source_create(user, kind="jira", name="bench jira", rule_tags="escalated")
    created = json.loads((FIXTURE / "01_issue_created.json").read_text())["payload"]
    for number in range(RECORDS):
        opened = json.loads(json.dumps(created))
        opened["issue"]["key"] = f"BENCH-{number}"
        delivery, _ = services.delivery_receive(
            source, headers={}, body=json.dumps(opened).encode(), content_type="application/json"
        )
        apply.delivery_apply(delivery.pk)
    # Jira names a delivery by its signed body, so every request carries a body of its own: an
    # internal comment (as Jira documents comment_created) on one of the 50 issues.
    lines = []
    started = int(time.time() * 1000)
    for number in range(BODIES):
        said = {
            "timestamp": started + number,
            "webhookEvent": "comment_created",
            "comment": {
                "id": str(100_000 + number),
                "body": f"Internal note {number}: still investigating the connection pool.",
                "author": {"accountId": "bench-agent", "displayName": "Bench Agent"},
                "created": datetime.fromtimestamp((started - 60_000) / 1000, UTC).isoformat(),
                "jsdPublic": False,
            },
            "issue": {"id": str(number % RECORDS), "key": f"BENCH-{number % RECORDS}", "fields": {"summary": "Bench"}},
        }
        body = json.dumps(said, separators=(",", ":"))
        signature = "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
        lines.append(f"{signature}\t{body}")
    bodies = ROOT / "var" / "bench" / "webhook-bodies.tsv"
    bodies.write_text("\n".join(lines) + "\n")
    first_id = Delivery.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return source, bodies, first_id


def cleanup():
    """Remove the webhook run's source, its account and the escalations it opened, so that the
    database holds the seeded incidents again (the pages' figures, and the next run's re-seed check)."""
    from django.db.models import ProtectedError

    from integrations.models import Source
    from reviews.models import Incident

    for source in Source.objects.filter(name="bench jira").select_related("actor"):
        actor = source.actor
        Incident.objects.filter(records__source=source).delete()
        source.delete()
        with contextlib.suppress(ProtectedError):  # it wrote something that stays
            actor.delete()


def start_worker(env):
    log = ROOT / "var" / "bench" / "worker.log"
    out = open(log, "wb")  # noqa: SIM115 (closed by stop_worker)
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"]
    process = subprocess.Popen(  # noqa: S603
        [*command, "--without-mingle", "--without-gossip", "-n", f"bench-{os.getpid()}@%h"],
        cwd=ROOT,
        env=os.environ | env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.out = out
    time.sleep(3)
    return process


def stop_worker(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    process.out.close()


def paced(path, bodies_file, rate, seconds, skip):
    """Send signed bodies at ``rate`` a second for ``seconds`` (one keep-alive connection, paced
    by the clock, as a tool's deliveries arrive), starting after the ``skip`` bodies wrk used."""
    import http.client

    lines = bodies_file.read_text().splitlines()[skip : skip + rate * seconds]
    connection = http.client.HTTPConnection("127.0.0.1", int(os.environ.get("BENCH_PORT", "8765")), timeout=30)
    started = time.monotonic()
    for number, line in enumerate(lines):
        signature, body = line.split("\t", 1)
        delay = started + number / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        connection.request(
            "POST", path, body=body.encode(), headers={"Content-Type": "application/json", "X-Hub-Signature": signature}
        )
        response = connection.getresponse()
        response.read()
        if response.status != 202:
            raise SystemExit(f"The endpoint answered {response.status} to a paced delivery.")
    connection.close()
    return len(lines)


def latencies(source, after_id, timeout=300):
    """Wait until every delivery of the run is applied; receipt-to-applied percentiles in ms."""
    from integrations.models import Delivery, DeliveryStatus

    run = Delivery.objects.filter(source=source, pk__gt=after_id)
    deadline = time.monotonic() + timeout
    while run.filter(status=DeliveryStatus.RECEIVED).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    rows = sorted(
        (applied - received).total_seconds() * 1000
        for received, applied in run.exclude(applied_at=None).values_list("received_at", "applied_at")
    )
    statuses = dict.fromkeys(DeliveryStatus.values, 0)
    for status in run.values_list("status", flat=True):
        statuses[status] += 1

    def pct(p):
        return round(rows[min(len(rows) - 1, int(len(rows) * p / 100))], 1) if rows else None

    return {
        "deliveries": len(rows),
        "statuses": statuses,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "max_ms": round(rows[-1], 1) if rows else None,
        "within_5s": round(sum(1 for r in rows if r <= 5000) / len(rows), 3) if rows else None,
    }
