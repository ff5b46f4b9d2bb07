"""Baton's own JSON, for any other tool (Intercom, Salesforce, Opsgenie, Freshdesk, a script),
signed with Standard Webhooks (https://www.standardwebhooks.com/). README: "Any other tool".

    {"type": "incident", "record": "INC-7", "at": "2026-11-02T09:00:00Z",
     "incident": {"title": "…", "customer": "…", "severity": "sev1", "url": "https://…", "team": "payments"}}
    {"type": "milestone", "record": "INC-7", "at": "…", "milestone": "acknowledged"}
    {"type": "role", "record": "INC-7", "at": "…", "role": "lead", "person": {"email": "…", "name": "…"}}
    {"type": "timeline", "record": "INC-7", "at": "…", "kind": "customer_update", "text": "…", "who": "…", "ref": "m-1"}
    {"type": "timeline.edited", "record": "INC-7", "at": "…", "ref": "m-1", "text": "…"}
    {"type": "timeline.deleted", "record": "INC-7", "at": "…", "ref": "m-1"}
    {"type": "satisfaction", "record": "INC-7", "at": "…", "score": 4}

Any of them may carry ``"incident_id": 42`` to feed an incident already in Baton.
"""

from core.ids import parse_id
from integrations.events import Entry, Event, Person, Unparseable, moment, obj, text
from integrations.parsers.slack import ROLES
from reviews.models import EntryKind, Severity

MILESTONES = {
    "escalated": "escalated_at",
    "acknowledged": "acknowledged_at",
    "first_customer_update": "first_customer_update_at",
    "resolved": "resolved_at",
}
TYPES = ("incident", "milestone", "role", "timeline", "timeline.edited", "timeline.deleted", "satisfaction")


def identify(headers, payload):
    return headers.get("webhook-id"), payload.get("type")


def _choice(value, choices, what):
    if not isinstance(value, str) or value not in choices:
        raise Unparseable(f"“{what}” must be one of: {', '.join(choices)}.")
    return value


def parse(source, payload, delivery):
    kind = _choice(payload.get("type"), TYPES, "type")
    record = text(payload.get("record"), 200).strip()
    if not record:
        raise Unparseable("“record” (the tool's id of the escalation) is required.")
    event = Event(record=record, at=moment(payload.get("at"), "at"), type=kind)
    if "incident_id" in payload:
        event.link_incident = parse_id(payload.get("incident_id"))
        if event.link_incident is None:
            raise Unparseable("“incident_id” must be a Baton incident number.")
    if kind == "incident":
        incident = obj(payload.get("incident"), "incident")
        event.title = text(incident.get("title"), 200)
        event.customer = text(incident.get("customer"), 200)
        event.url = text(incident.get("url"), 500)
        event.team_key = text(incident.get("team"), 120)
        if "severity" in incident:
            event.severity = _choice(incident.get("severity"), Severity.values, "incident.severity")
        event.escalation = True
        event.milestones["escalated_at"] = event.at
    elif kind == "milestone":
        name = _choice(payload.get("milestone"), [*MILESTONES, "reopened"], "milestone")
        if name == "reopened":
            event.reopened = True
        else:
            event.milestones[MILESTONES[name]] = event.at
    elif kind == "role":
        role = ROLES[_choice(payload.get("role"), list(ROLES), "role")]
        person = obj(payload.get("person"), "person")
        email, name = text(person.get("email"), 254), text(person.get("name"), 200)
        if not email and not name:
            raise Unparseable("“person” needs an email or a name.")
        event.roles.append((role, Person(email=email, name=name)))
    elif kind == "timeline":
        what = text(payload.get("text")).strip()
        if not what:
            raise Unparseable("“text” is required.")
        entry_kind = _choice(payload.get("kind", EntryKind.NOTE), EntryKind.values, "kind")
        event.entries.append(Entry(entry_kind, what, text(payload.get("who"), 200), ref=text(payload.get("ref"), 200)))
    elif kind == "timeline.edited":
        event.edit = (_ref(payload), text(payload.get("text")))
    elif kind == "timeline.deleted":
        event.delete = _ref(payload)
    elif kind == "satisfaction":
        score = payload.get("score")
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise Unparseable("“score” must be a whole number from 1 to 5.")
        event.satisfaction = score
    return event


def _ref(payload):
    ref = text(payload.get("ref"), 200)
    if not ref:
        raise Unparseable("“ref” (the id of the timeline entry it changes) is required.")
    return ref
