"""A connected tool and the escalation it sent, so the demo shows where facts come from. Idempotent.

The deliveries are stored as received (the demo has no tool to sign them) and applied through
the same code as any delivery; one is malformed, to show how a failed delivery reads."""

import json
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from integrations import apply, services
from integrations.models import Source, SourceKind

NAME = "Pager and status page (demo)"


def seed(out=None):
    if Source.objects.filter(name=NAME).exists():
        return
    fiona = get_user_model().objects.get(username="fiona")
    source, _ = services.source_create(fiona, kind=SourceKind.GENERIC, name=NAME, base_url="https://ops.example.com")
    start = (timezone.now() - timedelta(days=2)).replace(second=0, microsecond=0)

    def at(minutes):
        return (start + timedelta(minutes=minutes)).isoformat()

    record = "OPS-7731"
    events = [
        {
            "type": "incident",
            "at": at(0),
            "incident": {
                "title": "Card authorisations timing out for Globex",
                "customer": "Globex",
                "severity": "sev2",
                "url": "https://ops.example.com/incidents/OPS-7731",
                "team": "payments-platform",
            },
        },
        {
            "type": "timeline",
            "at": at(1),
            "kind": "detection",
            "text": "Paged: authorisation p99 above 4 s.",
            "who": "Pager",
            "ref": "page-1",
        },
        {"type": "milestone", "at": at(6), "milestone": "acknowledged"},
        {"type": "role", "at": at(6), "role": "lead", "person": {"email": "mei@example.com"}},
        {"type": "role", "at": at(11), "role": "comms", "person": {"email": "diego@example.com"}},
        {"type": "role", "at": at(14), "role": "decide", "person": {"email": "tom@example.com"}},
        {
            "type": "timeline",
            "at": at(19),
            "kind": "customer_update",
            "who": "Diego Alvarez",
            "text": "Globex told: card payments slow, workaround is retrying; next update in 30 minutes.",
            "ref": "s-1",
        },
        {"type": "milestone", "at": at(19), "milestone": "first_customer_update"},
        {
            "type": "timeline",
            "at": at(52),
            "kind": "decision",
            "who": "Tom Okafor",
            "text": "Fail over authorisations to the second acquirer.",
            "ref": "d-1",
        },
        {"type": "milestone", "at": at(95), "milestone": "resolved"},
        {"type": "satisfaction", "at": at(60 * 24), "score": "very happy"},  # malformed: shows a failed delivery
    ]
    deliveries = []
    for number, event in enumerate(events):
        body = json.dumps({"record": record, **event}).encode()
        delivery, _ = services.delivery_receive(
            source, headers={"webhook-id": f"demo-{number}"}, body=body, content_type="application/json"
        )
        deliveries.append(delivery)
    for delivery in deliveries:
        apply.delivery_apply(delivery.pk)
    if out is not None:
        out.write(f"Integrations: {NAME} sent escalation {record} ({len(events)} deliveries, one malformed).")
