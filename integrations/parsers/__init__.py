"""Each tool's payloads, read into :class:`integrations.events.Event`.

A parser module has ``identify(headers, payload)`` → (event id, event type), read when the
request arrives, and ``parse(source, payload, delivery)`` → an Event, or None for an event
Baton does not record. Payloads are read defensively: a field of the wrong type is an
:class:`Unparseable` with a reason, never an error page or a half-applied delivery.
"""

import hashlib
import json
from urllib.parse import parse_qs

from integrations.events import Unparseable, clean
from integrations.models import SourceKind
from integrations.parsers import generic, jira, pagerduty, slack, zendesk

MODULES = {
    SourceKind.ZENDESK: zendesk,
    SourceKind.PAGERDUTY: pagerduty,
    SourceKind.JIRA: jira,
    SourceKind.SLACK: slack,
    SourceKind.GENERIC: generic,
}
FORM = "application/x-www-form-urlencoded"


def load(body, content_type):
    """The payload of a body: JSON, or a form (Slack's slash commands)."""
    if isinstance(body, bytes):
        try:
            body = body.decode()
        except UnicodeDecodeError:
            raise Unparseable("The body is not UTF-8 text.") from None
    if content_type.split(";")[0].strip().lower() == FORM:
        return {key: values[-1] for key, values in parse_qs(body, keep_blank_values=True).items()}
    try:
        payload = json.loads(body)
    except RecursionError:
        raise Unparseable("The JSON is nested too deeply.") from None
    except ValueError as error:
        raise Unparseable(f"The body is not JSON: {error}.") from None
    if not isinstance(payload, dict):
        raise Unparseable("The body is JSON but not an object.")
    return payload


def identify(kind, headers, body, content_type):
    """The tool's id and type of the event, read on receipt; an unreadable body is named by its hash."""
    fallback = "sha256:" + hashlib.sha256(body).hexdigest()
    try:
        payload = load(body, content_type)
        event_id, event_type = MODULES[kind].identify(headers, payload)
    except (Unparseable, AttributeError, TypeError, KeyError):
        return fallback, ""
    named = clean(str(event_id))[:200] if event_id else ""
    return named or fallback, clean(str(event_type or ""))[:100]


def parse(delivery):
    payload = load(delivery.body, delivery.content_type)
    try:
        return MODULES[delivery.source.kind].parse(delivery.source, payload, delivery)
    except (AttributeError, TypeError, KeyError) as error:
        raise Unparseable(f"The payload is not shaped as documented ({type(error).__name__}: {error}).") from None
