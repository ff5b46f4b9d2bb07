"""The receiving endpoint under load: ``make bench`` runs it after the pages.

A Jira source (its signature covers the body only, so wrk can replay signed bodies with a new
delivery id each) feeding 50 escalations; wrk POSTs comment events at the endpoint while a real
Celery worker applies them. Measured: the endpoint's throughput and latency (against the same
run's ceiling), and for every delivery the time from receipt to applied.
"""

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = 50
FIXTURE = ROOT / "tests" / "fixtures" / "integrations" / "jira"


def prepare():
    """The source, 50 escalations opened from issue_created, and the signed comment bodies."""
    from django.contrib.auth import get_user_model

    from integrations import apply, services
    from integrations.models import Delivery, Source

    Source.objects.filter(name="bench jira").delete()
    user = get_user_model().objects.get(username="bench")
    source, secret = services.source_create(user, kind="jira", name="bench jira", rule_tags="escalated")
    created = json.loads((FIXTURE / "01_issue_created.json").read_text())["payload"]
    comment = json.loads((FIXTURE / "03_comment_created_public.json").read_text())["payload"]
    lines = []
    for number in range(RECORDS):
        key = f"BENCH-{number}"
        opened = json.loads(json.dumps(created))
        opened["issue"]["key"] = key
        delivery, _ = services.delivery_receive(
            source,
            headers={"X-Atlassian-Webhook-Identifier": f"open-{key}-{time.time()}"},
            body=json.dumps(opened).encode(),
            content_type="application/json",
        )
        apply.delivery_apply(delivery.pk)
        said = json.loads(json.dumps(comment))
        said["issue"]["key"] = key
        body = json.dumps(said, separators=(",", ":"))
        signature = "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
        lines.append(f"{signature}\t{body}")
    bodies = ROOT / "var" / "bench" / "webhook-bodies.tsv"
    bodies.write_text("\n".join(lines) + "\n")
    first_id = Delivery.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return source, bodies, first_id


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
