"""Slack: the Events API for channels linked to an escalation, and the `/baton` slash command.

Events: https://docs.slack.dev/apis/events-api/ and https://docs.slack.dev/reference/events/message
Slash commands: https://docs.slack.dev/interactivity/implementing-slash-commands
"""

import html
import re
from datetime import UTC, datetime

from core.ids import parse_id
from integrations.events import Entry, Event, Person, Unparseable, moment, obj, text
from reviews.models import EntryKind, OwnershipRole

ROLES = {
    "lead": OwnershipRole.INVESTIGATION_LEAD,
    "comms": OwnershipRole.COMMUNICATIONS_OWNER,
    "decide": OwnershipRole.DECISION_OWNER,
    "contact": OwnershipRole.CUSTOMER_CONTACT,
    "liaison": OwnershipRole.INTERNAL_LIAISON,
}
# <@U0123ABCD>, <@U0123ABCD|diego> (escaped mentions), or a plain @name.
MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|([^>]*))?>$")
USAGE = (
    "Usage: `/baton link <incident number>` links this channel to a Baton escalation; "
    "`/baton own lead|comms|decide|contact|liaison [@person]` records who took a role now."
)
SKIPPED_SUBTYPES = {"bot_message", "channel_join", "channel_leave", "channel_topic", "channel_purpose"}


def identify(headers, payload):
    if "command" in payload:
        return payload.get("trigger_id"), "slash_command"
    event = obj(payload.get("event"), "event")
    return payload.get("event_id"), f"{event.get('type', payload.get('type'))}:{event.get('subtype', '')}".rstrip(":")


def _ts(value):
    try:
        return moment(datetime.fromtimestamp(float(value), tz=UTC).isoformat(), "ts")
    except (TypeError, ValueError, OverflowError):
        raise Unparseable(f"The Slack timestamp “{str(value)[:40]}” is not a timestamp.") from None


def parse(source, payload, delivery):
    if "command" in payload:
        return _command(payload, delivery)
    if payload.get("type") != "event_callback":
        return None
    event = obj(payload.get("event"), "event")
    if event.get("type") != "message" or event.get("subtype") in SKIPPED_SUBTYPES or event.get("bot_id"):
        return None
    channel = text(event.get("channel"))
    if not channel:
        raise Unparseable("The message names no channel.")
    subtype = event.get("subtype")
    parsed = Event(record=channel, at=_ts(event.get("event_ts") or event.get("ts")), type=f"message:{subtype or 'new'}")
    if subtype == "message_changed":
        message = obj(event.get("message"), "event.message")
        changed = html.unescape(text(message.get("text"))).strip()
        if not changed:
            return None  # only its attachments changed: the entry keeps its words
        parsed.edit = (f"ts:{text(message.get('ts'))}", changed)
    elif subtype == "message_deleted":
        parsed.delete = f"ts:{text(event.get('deleted_ts'))}"
    elif subtype is None:
        what = html.unescape(text(event.get("text"))).strip()
        if not what:
            return None
        parsed.at = _ts(event.get("ts"))
        user = text(event.get("user"))
        person = Person(external_id=user) if user else None
        ref = f"ts:{text(event.get('ts'))}"
        parsed.entries.append(Entry(EntryKind.INTERNAL_UPDATE, what, "" if user else "Slack", ref=ref, person=person))
    else:
        return None
    return parsed


def _command(form, delivery):
    channel = text(form.get("channel_id"))
    words = text(form.get("text")).split()
    at = delivery.received_at
    stamp = delivery.headers.get("X-Slack-Request-Timestamp")
    if stamp and stamp.isdigit():
        at = _ts(stamp)
    event = Event(record=channel, at=at, type="slash_command")
    event.requested_by = Person(external_id=text(form.get("user_id")), name=text(form.get("user_name"), 200))
    if len(words) == 2 and words[0].lower() == "link":
        event.link_incident = parse_id(words[1].lstrip("#"))
        if event.link_incident is None:
            event.reply = USAGE
            return event
        event.reply = f"This channel now feeds Baton incident {event.link_incident}."
        return event
    if words and words[0].lower() == "own" and len(words) in (2, 3) and words[1].lower() in ROLES:
        role = ROLES[words[1].lower()]
        if len(words) == 3:
            mention = MENTION.match(words[2])
            person = (
                Person(external_id=mention[1], name=mention[2] or "") if mention else Person(name=words[2].lstrip("@"))
            )
        else:
            person = Person(external_id=text(form.get("user_id")), name=text(form.get("user_name")))
        event.roles.append((role, person))
        event.reply = f"Recorded: {person} took the {role.label.lower()} role."
        return event
    event.reply = USAGE
    return event
