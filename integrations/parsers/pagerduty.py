"""PagerDuty v3 webhooks: incident events.

Payloads: https://developer.pagerduty.com/docs/webhooks-overview
Signatures: https://developer.pagerduty.com/docs/verifying-webhook-signatures
"""

from integrations.events import Entry, Event, Person, Unparseable, items, moment, obj, text
from reviews.models import EntryKind, OwnershipRole, Severity

SEVERITY = {"p1": Severity.SEV1, "p2": Severity.SEV2, "p3": Severity.SEV3, "p4": Severity.SEV4, "p5": Severity.SEV4}
HANDOVERS = ("incident.reassigned", "incident.escalated", "incident.delegated")


def identify(headers, payload):
    event = obj(payload.get("event"), "event")
    return event.get("id"), event.get("event_type")


def _person(reference):
    reference = obj(reference, "user reference")
    if not reference.get("id"):
        return None
    return Person(name=text(reference.get("summary"), 200), external_id=text(reference.get("id")))


def parse(source, payload, delivery):
    envelope = obj(payload.get("event"), "event")
    kind = text(envelope.get("event_type"))
    if not kind.startswith("incident."):
        return None
    data = obj(envelope.get("data"), "event.data")
    at = moment(envelope.get("occurred_at"), "occurred_at")
    agent = _person(envelope.get("agent")) if envelope.get("agent") else None
    incident = data if data.get("type") == "incident" else obj(data.get("incident"), "event.data.incident")
    record = text(incident.get("id"))
    if not record:
        raise Unparseable("The event names no PagerDuty incident.")
    event = Event(record=record, at=at, type=kind, url=text(incident.get("html_url"), 500))
    if data.get("type") == "incident":
        priority = obj(data.get("priority"), "priority")
        urgency = text(data.get("urgency")).lower()
        service = obj(data.get("service"), "service")
        event.title = text(data.get("title"), 200)
        event.severity = SEVERITY.get(text(priority.get("summary")).lower(), Severity.SEV2 if urgency == "high" else "")
        event.team_key = text(service.get("id"))
        event.escalation = source.is_escalation(priorities=[text(priority.get("summary")), urgency])
        if event.escalation and data.get("created_at"):
            # Escalated when PagerDuty opened the incident, whichever event Baton hears of first.
            event.milestones["escalated_at"] = moment(data.get("created_at"), "created_at")
    assignees = [p for p in (_person(a) for a in items(data.get("assignees"), "assignees")) if p]
    who = str(agent) if agent else "PagerDuty"
    if kind == "incident.triggered":
        service = text(obj(data.get("service"), "service").get("summary"))
        event.entries.append(Entry(EntryKind.DETECTION, f"Paged: {event.title}", service or "PagerDuty"))
    elif kind == "incident.acknowledged":
        event.milestones["acknowledged_at"] = at
        lead = agent or (assignees[0] if assignees else None)
        if lead:
            event.roles.append((OwnershipRole.INVESTIGATION_LEAD, lead))
    elif kind in HANDOVERS:
        if assignees:
            event.roles.append((OwnershipRole.INVESTIGATION_LEAD, assignees[0]))
        else:
            return None
    elif kind == "incident.annotated":
        note = text(data.get("content")).strip()
        if not note:
            return None
        event.entries.append(Entry(EntryKind.NOTE, note, who, ref=f"note:{text(data.get('id'))}"))
    elif kind == "incident.status_update_published":
        message = text(data.get("message")).strip()
        if not message:
            return None
        event.entries.append(Entry(EntryKind.INTERNAL_UPDATE, message, who, ref=f"status:{text(data.get('id'))}"))
    elif kind == "incident.responder.added":
        user = _person(data.get("user"))
        if user is None:
            return None
        event.entries.append(Entry(EntryKind.NOTE, f"{user} was added as a responder.", who))
    elif kind == "incident.priority_updated":
        summary = text(obj(data.get("priority"), "priority").get("summary")) or "none"
        event.entries.append(Entry(EntryKind.NOTE, f"Priority set to {summary} in PagerDuty.", who))
    elif kind == "incident.resolved":
        # The technical resolution: the customer's confirmation comes from the support desk.
        event.entries.append(Entry(EntryKind.RESOLUTION, "Resolved in PagerDuty (technical resolution).", who))
    elif kind == "incident.reopened":
        event.entries.append(Entry(EntryKind.NOTE, "Reopened in PagerDuty.", who))
    else:
        return None
    return event
