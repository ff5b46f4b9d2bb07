"""Zendesk: ticket events from a webhook subscribed to them, and the satisfaction rating from a
webhook connected to a trigger (no ticket event carries the rating).

Ticket events: https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/
Trigger placeholders: https://support.zendesk.com/hc/en-us/articles/4408886858138
"""

from integrations import people
from integrations.events import Entry, Event, Person, Unparseable, items, moment, obj, text
from integrations.models import Record
from reviews.models import EntryKind, OwnershipRole, Severity

PREFIX = "zen:event-type:ticket."
SEVERITY = {"urgent": Severity.SEV1, "high": Severity.SEV2, "normal": Severity.SEV3, "low": Severity.SEV4}
#: Legacy CSAT is good or bad: good is a 4 ("happy"), bad a 2, so that neither reads as the
#: extreme of a 1–5 scale; a numeric rating 1–5 (the newer CSAT) is taken as it is.
RATING = {"good": 4, "bad": 2}


def identify(headers, payload):
    if "type" in payload:
        return payload.get("id"), payload.get("type")
    return None, "trigger"  # named by the body's hash: the invocation id header is not signed


def parse(source, payload, delivery):
    if "type" not in payload:
        return _trigger(source, payload)
    kind = text(payload.get("type"))
    if not kind.startswith(PREFIX):
        return None
    kind = kind.removeprefix(PREFIX)
    ticket = obj(payload.get("detail"), "detail")
    change = obj(payload.get("event"), "event")
    ticket_id = text(ticket.get("id"))
    if not ticket_id:
        raise Unparseable("The event names no ticket (detail.id).")
    at = moment(payload.get("time"), "event time")
    escalation = source.is_escalation(items(ticket.get("tags"), "detail.tags"), [text(ticket.get("priority"))])
    event = Event(
        record=ticket_id,
        at=at,
        type=kind,
        url=f"{source.base_url.rstrip('/')}/agent/tickets/{ticket_id}" if source.base_url else "",
        title=text(ticket.get("subject"), 200),
        severity=SEVERITY.get(str(ticket.get("priority") or "").lower(), ""),
        team_key=text(ticket.get("group_id")),
        escalation=escalation,
    )
    if escalation and not Record.objects.filter(source=source, external_id=ticket_id, incident__isnull=False).exists():
        event.customer = people.zendesk_organization(source, text(ticket.get("organization_id")))
    if kind == "created":
        if escalation:
            event.milestones["escalated_at"] = at
        if ticket.get("assignee_id"):
            event.roles.append((OwnershipRole.CUSTOMER_CONTACT, Person(external_id=text(ticket["assignee_id"]))))
    elif kind == "tags_changed":
        added = {str(tag).lower() for tag in change.get("tags_added") or []}
        if added & source.tags() and escalation:
            event.milestones["escalated_at"] = at
    elif kind == "priority_changed":
        if str(change.get("current") or "").lower() in source.priorities() and escalation:
            event.milestones["escalated_at"] = at
    elif kind == "agent_assignment_changed":
        if change.get("current"):
            event.roles.append((OwnershipRole.CUSTOMER_CONTACT, Person(external_id=text(change["current"]))))
    elif kind == "comment_added":
        comment = obj(change.get("comment"), "event.comment")
        author = obj(comment.get("author"), "event.comment.author")
        body = text(comment.get("body")).strip()
        if not body:
            return None
        public = comment.get("is_public") is True
        staff = author.get("is_staff") is True
        if public and staff:
            event.milestones["first_customer_update_at"] = at
        entry_kind = EntryKind.INTERNAL_UPDATE if not public else EntryKind.CUSTOMER_UPDATE if staff else EntryKind.NOTE
        who = text(author.get("name"), 200) or ("Agent" if staff else "Customer")
        event.entries.append(Entry(entry_kind, body, who, ref=f"comment:{text(comment.get('id'))}"))
    elif kind == "status_changed":
        current = str(change.get("current") or "").lower()
        previous = str(change.get("previous") or "").lower()
        if current == "solved" or (current == "closed" and previous != "solved"):
            event.milestones["resolved_at"] = at
        elif previous in ("solved", "closed") and current in ("new", "open", "pending", "hold"):
            event.reopened = True
    else:
        return None
    return event


def _trigger(source, payload):
    """The body a trigger's webhook sends (README: Zendesk): the ticket id and the rating."""
    ticket_id = text(payload.get("ticket_id"))
    if not ticket_id:
        raise Unparseable("The trigger's body names no ticket (ticket_id).")
    rating = payload.get("satisfaction_rating")
    score = None
    if isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 5:
        score = rating
    elif isinstance(rating, str):
        word = rating.strip().lower()
        score = int(word) if word in ("1", "2", "3", "4", "5") else RATING.get(word)
    if score is None:
        return None  # offered, unoffered or empty: no rating yet
    event = Event(record=ticket_id, at=moment(payload.get("updated_at"), "updated_at"), type="satisfaction")
    event.satisfaction = score
    comment = text(payload.get("satisfaction_comment")).strip()
    if comment:
        event.entries.append(Entry(EntryKind.NOTE, f"Satisfaction: {text(rating)}. “{comment}”", "Customer"))
    return event
