"""Replay payloads through the same code as received deliveries, to back-fill past escalations.

    python manage.py import_deliveries --source "Zendesk (support)" events.jsonl

Each line is one JSON object: either a payload as the tool sends it, or a stored delivery as
exported ({"body": "<the raw body>", "content_type": "…", "headers": {…}, "event_id": "…"}).
Lines are stored as imported deliveries, named as on receipt (an event already received or
imported is not stored twice), and applied in file order, each in its own transaction. Run it
again after an interruption: what was stored and not yet applied is applied then. Nothing is
verified: whoever runs the command is trusted.
"""

import json
import logging
import multiprocessing
import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, connections, transaction

from integrations import apply, parsers
from integrations.events import clean
from integrations.models import Delivery, DeliveryStatus, Source
from integrations.services import stored_text

logger = logging.getLogger(__name__)
BATCH = 500
NOT_APPLIED = "waiting"  # counted when applying one failed in a way the reconcile task retries


def _apply_all(source, ids):
    """Apply ``ids`` one transaction each: no lock is held across deliveries, so a worker (or
    another process) applying deliveries of the same records waits briefly, never deadlocks."""
    counts = dict.fromkeys([*DeliveryStatus.values, NOT_APPLIED], 0)
    for delivery_id in ids:
        try:
            counts[apply.delivery_apply(delivery_id, source=source)] += 1
        except Exception:  # the database was unwell for this one: it stays waiting for the reconcile
            logger.exception("Delivery %s stays waiting.", delivery_id)
            counts[NOT_APPLIED] += 1
    return counts


def _apply_in_child(source_id, ids):
    connections.close_all()  # a connection of its own
    try:
        return _apply_all(Source.objects.select_related("actor").get(pk=source_id), ids)
    finally:
        connections.close_all()


def _apply_in_processes(source, ids, processes):
    chunks = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    connections.close_all()  # children must not share this process's connection
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.starmap(_apply_in_child, [(source.pk, chunk) for chunk in chunks])
    return {status: sum(result[status] for result in results) for status in results[0]}


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

    def handle(self, *args, file, source, processes, **options):
        found = Source.objects.filter(name=source).select_related("actor").first()
        if found is None:
            names = ", ".join(Source.objects.values_list("name", flat=True))
            raise CommandError(f"No source is named “{source}”. Sources: {names}")
        try:
            stream = sys.stdin if file == "-" else open(file, encoding="utf-8", errors="replace")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        waiting, stored, repeated, bad, batch = [], 0, 0, 0, []
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
                    stored, repeated = self._store(found, batch, waiting, stored, repeated)
                    batch = []
            stored, repeated = self._store(found, batch, waiting, stored, repeated)
        finally:
            if stream is not sys.stdin:
                stream.close()
        processes = processes or (1 if connection.vendor == "sqlite" else os.cpu_count() or 1)
        if processes > 1 and len(waiting) > BATCH:
            counts = _apply_in_processes(found, waiting, processes)
        else:
            counts = _apply_all(found, waiting)
        self.stdout.write(
            f"{stored} stored ({repeated} already there, {bad} unreadable lines): "
            + ", ".join(f"{count} {status}" for status, count in counts.items() if count)
        )

    def _store(self, source, batch, waiting, stored, repeated):
        """Store a batch, skipping events already there; those of them still waiting (an import cut
        short) are applied with the new ones. Returns the new totals of stored and repeated."""
        ids = {delivery.event_id for delivery in batch}
        there = dict(Delivery.objects.filter(source=source, event_id__in=ids).values_list("event_id", "id"))
        still = set(
            Delivery.objects.filter(pk__in=there.values(), status=DeliveryStatus.RECEIVED).values_list("id", flat=True)
        )
        fresh, seen = [], set(there)
        for delivery in batch:
            if delivery.event_id in seen:
                repeated += 1
                if there.get(delivery.event_id) in still:
                    waiting.append(there[delivery.event_id])
                    still.discard(there[delivery.event_id])
                continue
            seen.add(delivery.event_id)
            fresh.append(delivery)
        try:
            with transaction.atomic():
                Delivery.objects.bulk_create(fresh)
        except IntegrityError:  # one was received meanwhile: one at a time, then
            fresh = [delivery for delivery in fresh if self._save_one(delivery)]
        waiting.extend(delivery.pk for delivery in fresh)
        return stored + len(fresh), repeated

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
        raw = body.encode("utf-8", "replace")
        headers = {clean(str(k))[:100]: clean(str(v))[:500] for k, v in headers.items()}
        event_id, event_type = parsers.identify(source.kind, headers, raw, content_type)
        if isinstance(item.get("event_id"), str) and clean(item["event_id"]):
            event_id = clean(item["event_id"])[:200]
        return Delivery(
            source=source,
            event_id=event_id,
            event_type=event_type,
            body=stored_text(raw),
            content_type=clean(content_type)[:100],
            headers=headers,
            imported=True,
        )
