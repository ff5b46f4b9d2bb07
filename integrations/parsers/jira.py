"""Jira Service Management: Jira Cloud webhooks for issues and comments.

Payloads: https://developer.atlassian.com/cloud/jira/platform/webhooks/
Comments (jsdPublic): https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-comments/
"""

from integrations.events import Entry, Event, Person, Unparseable, items, moment, obj, text
from reviews.models import EntryKind, OwnershipRole, Severity

SEVERITY = {"highest": Severity.SEV1, "high": Severity.SEV2, "medium": Severity.SEV3, "low": Severity.SEV4}
SEVERITY["lowest"] = Severity.SEV4


def identify(headers, payload):
    """Named from the signed body: X-Atlassian-Webhook-Identifier is not signed, so a captured
    request replayed with a new one would otherwise be a new delivery."""
    issue = obj(payload.get("issue"), "issue")
    comment = obj(payload.get("comment"), "comment")
    name = f"{payload.get('webhookEvent')}:{issue.get('key')}:{comment.get('id', '')}:{payload.get('timestamp')}"
    return name, payload.get("webhookEvent")


def _person(user):
    user = obj(user, "user")
    if not user:
        return None
    return Person(
        email=text(user.get("emailAddress"), 254),
        name=text(user.get("displayName"), 200),
        external_id=text(user.get("accountId")),
    )


def _browse(issue):
    base = text(issue.get("self")).split("/rest/api/")[0]
    return f"{base}/browse/{text(issue.get('key'))}" if base.startswith("https://") else ""


def _done(fields):
    status = obj(fields.get("status"), "status")
    return text(obj(status.get("statusCategory"), "statusCategory").get("key")).lower() == "done"


def parse(source, payload, delivery):
    kind = text(payload.get("webhookEvent"))
    issue = obj(payload.get("issue"), "issue")
    fields = obj(issue.get("fields"), "issue.fields")
    key = text(issue.get("key"))
    if not key:
        raise Unparseable("The event names no issue (issue.key).")
    at = moment(payload.get("timestamp"), "timestamp")
    labels = {str(label).lower() for label in items(fields.get("labels"), "labels") if isinstance(label, str)}
    priority = text(obj(fields.get("priority"), "priority").get("name")).lower()
    escalation = source.is_escalation(labels, [priority])
    event = Event(
        record=key,
        at=at,
        type=kind,
        url=_browse(issue),
        title=text(fields.get("summary"), 200),
        severity=SEVERITY.get(priority, ""),
        team_key=text(obj(fields.get("project"), "project").get("key")),
        escalation=escalation if fields else None,
    )
    if kind == "jira:issue_created":
        if escalation:
            event.milestones["escalated_at"] = at
        assignee = _person(fields.get("assignee"))
        if assignee:
            event.roles.append((OwnershipRole.CUSTOMER_CONTACT, assignee))
        if _done(fields):
            event.milestones["resolved_at"] = at
    elif kind == "jira:issue_updated":
        changes = items(obj(payload.get("changelog"), "changelog").get("items"), "changelog.items")
        for change in changes:
            change = obj(change, "changelog item")
            name = text(change.get("field")).lower()
            if name == "assignee":
                assignee = _person(fields.get("assignee"))
                if assignee and change.get("to"):
                    event.roles.append((OwnershipRole.CUSTOMER_CONTACT, assignee))
            elif name == "status":
                if _done(fields):
                    event.milestones["resolved_at"] = at
                else:
                    event.reopened = True
            elif name in ("labels", "priority") and escalation:
                event.milestones["escalated_at"] = at
        if not (event.roles or event.milestones or event.reopened):
            return None
    elif kind == "comment_created":
        comment = obj(payload.get("comment"), "comment")
        body = text(comment.get("body")).strip()
        if not body:
            return None
        author = _person(comment.get("author")) or Person(name="Someone")
        reporter = obj(fields.get("reporter"), "reporter")
        agent = not reporter or text(reporter.get("accountId")) != author.external_id
        public = comment.get("jsdPublic") is not False
        if comment.get("created"):
            event.at = moment(comment.get("created"), "comment.created")
        if public and agent:
            event.milestones["first_customer_update_at"] = event.at
        entry_kind = EntryKind.INTERNAL_UPDATE if not public else EntryKind.CUSTOMER_UPDATE if agent else EntryKind.NOTE
        event.entries.append(Entry(entry_kind, body, str(author), ref=f"comment:{text(comment.get('id'))}"))
    else:
        return None
    return event
