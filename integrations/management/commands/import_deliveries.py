"""Replay payloads through the same code as received deliveries, to back-fill past escalations.

    python manage.py import_deliveries --source "Zendesk (support)" events.jsonl

Each line is one JSON object: either a payload as the tool sends it, or a stored delivery as
exported ({"body": "<the raw body>", "content_type": "…", "headers": {…}, "event_id": "…"}).
Lines are stored as imported deliveries (a repeated event id is skipped) and applied in file
order, in this process. Nothing is verified: whoever runs the command is trusted.
"""

import hashlib
import json
import multiprocessing
import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, connections, transaction

from integrations import apply, parsers
from integrations.models import Delivery, DeliveryStatus, Source

BATCH = 500


def _apply_batches(source, ids):
    """Apply ``ids`` in this process, one commit per batch: each delivery is still applied in its own
    savepoint, exactly once, and a batch cut short leaves its deliveries waiting for the reconcile task."""
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            for delivery_id in ids[start : start + BATCH]:
                counts[apply.delivery_apply(delivery_id, source=source)] += 1
    return counts


def _apply_each(source_id, ids):
    """In a child process: its own connection, one transaction per delivery (no lock held across
    deliveries, so processes working on the same record or incident wait, never deadlock)."""
    connections.close_all()
    source = Source.objects.select_related("actor").get(pk=source_id)
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for delivery_id in ids:
        counts[apply.delivery_apply(delivery_id, source=source)] += 1
    connections.close_all()
    return counts


def _apply_in_processes(source, ids, processes):
    chunks = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    connections.close_all()  # children must not share this process's connection
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.starmap(_apply_each, [(source.pk, chunk) for chunk in chunks])
    return {status: sum(result[status] for result in results) for status in DeliveryStatus.values}


class Command(BaseCommand):
    help = "Replay tool payloads (JSON Lines) through the integrations, as if received."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .jsonl file, one payload or exported delivery per line ('-' reads stdin).")
        parser.add_argument("--source", required=True, help="The source's name, as on the integrations page.")
        parser.add_argument(
            "--processes",
            type=int,
            default=0,
            help="Processes applying the deliveries (default: one per core on PostgreSQL, one on SQLite).",
        )

    def handle(self, *args, file, source, **options):
        found = Source.objects.filter(name=source).select_related("actor").first()
        if found is None:
            raise CommandError(
                f"No source is named “{source}”. Sources: {', '.join(Source.objects.values_list('name', flat=True))}"
            )
        try:
            stream = sys.stdin if file == "-" else open(file, encoding="utf-8")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        stored, repeated, bad, batch = [], 0, 0, []
        try:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                delivery = self._delivery(found, number, line)
                if delivery is None:
                    bad += 1
                    continue
                batch.append(delivery)
                if len(batch) == BATCH:
                    repeated += self._store(found, batch, stored)
                    batch = []
            repeated += self._store(found, batch, stored)
        finally:
            if stream is not sys.stdin:
                stream.close()
        processes = options["processes"] or (1 if connection.vendor == "sqlite" else os.cpu_count() or 1)
        if processes > 1 and len(stored) > BATCH:
            counts = _apply_in_processes(found, stored, processes)
        else:
            counts = _apply_batches(found, stored)
        self.stdout.write(
            f"{len(stored)} stored ({repeated} already there, {bad} unreadable lines): "
            + ", ".join(f"{count} {status}" for status, count in counts.items() if count)
        )

    def _store(self, source, batch, stored):
        """Store a batch of deliveries, skipping events already received; returns how many were skipped."""
        ids = {delivery.event_id for delivery in batch}
        seen = set(Delivery.objects.filter(source=source, event_id__in=ids).values_list("event_id", flat=True))
        fresh = []
        for delivery in batch:
            if delivery.event_id not in seen:
                seen.add(delivery.event_id)
                fresh.append(delivery)
        try:
            with transaction.atomic():
                Delivery.objects.bulk_create(fresh)
        except IntegrityError:  # one was received meanwhile: one at a time, then
            fresh = [delivery for delivery in fresh if self._save_one(delivery)]
        stored.extend(delivery.pk for delivery in fresh)
        return len(batch) - len(fresh)

    @staticmethod
    def _save_one(delivery):
        delivery.pk = None
        try:
            with transaction.atomic():
                delivery.save()
        except IntegrityError:
            return False
        return True

    def _delivery(self, source, number, line):
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            self.stderr.write(f"Line {number}: not JSON, skipped.")
            return None
        if not isinstance(item, dict):
            self.stderr.write(f"Line {number}: not a JSON object, skipped.")
            return None
        if isinstance(item.get("body"), str):  # an exported delivery
            body, content_type = item["body"], str(item.get("content_type") or "application/json")
            headers = item.get("headers") if isinstance(item.get("headers"), dict) else {}
        else:
            body, content_type, headers = line.strip(), "application/json", {}
        event_id, event_type = parsers.identify(source.kind, headers, body.encode(), content_type)
        if isinstance(item.get("event_id"), str) and item["event_id"]:
            event_id = item["event_id"][:200]
        elif event_id.startswith("sha256:"):
            event_id = "import:" + hashlib.sha256(body.encode()).hexdigest()
        return Delivery(
            source=source,
            event_id=event_id,
            event_type=event_type,
            body=body,
            content_type=content_type[:100],
            headers={k: str(v)[:500] for k, v in headers.items()},
            imported=True,
        )
