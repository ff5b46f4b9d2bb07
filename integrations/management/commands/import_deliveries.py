"""Replay payloads through the same code as received deliveries, to back-fill past escalations.

    python manage.py import_deliveries --source "Zendesk (support)" events.jsonl

Each line is one JSON object: either a payload as the tool sends it, or a stored delivery as
exported ({"body": "<the raw body>", "content_type": "…", "headers": {…}, "event_id": "…"}).
Lines are stored as imported deliveries (a repeated event id is skipped) and applied in file
order, in this process. Nothing is verified: whoever runs the command is trusted.
"""

import hashlib
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from integrations import apply, parsers
from integrations.models import Delivery, DeliveryStatus, Source

BATCH = 500


class Command(BaseCommand):
    help = "Replay tool payloads (JSON Lines) through the integrations, as if received."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .jsonl file, one payload or exported delivery per line ('-' reads stdin).")
        parser.add_argument("--source", required=True, help="The source's name, as on the integrations page.")

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
        stored, repeated, bad = [], 0, 0
        try:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                delivery = self._delivery(found, number, line)
                if delivery is None:
                    bad += 1
                    continue
                try:
                    with transaction.atomic():
                        delivery.save()
                    stored.append(delivery.pk)
                except IntegrityError:
                    repeated += 1
        finally:
            if stream is not sys.stdin:
                stream.close()
        counts = dict.fromkeys(DeliveryStatus.values, 0)
        for delivery_id in stored:
            counts[apply.delivery_apply(delivery_id)] += 1
        self.stdout.write(
            f"{len(stored)} stored ({repeated} already there, {bad} unreadable lines): "
            + ", ".join(f"{count} {status}" for status, count in counts.items() if count)
        )

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
