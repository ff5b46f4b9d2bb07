"""What a delivery says, in Baton's terms: each source's parser turns its tool's payload into an
:class:`Event`, and integrations.apply applies events the same way whichever tool sent them."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from core import moments

#: The incident milestones a source can report, and how a second report of one settles:
#: the earliest moment wins, except for the resolution (the latest, unless reopened after it).
MILESTONES = ("escalated_at", "acknowledged_at", "first_customer_update_at", "resolved_at")


class Unparseable(Exception):
    """The payload is not what the tool documents: the delivery is stored as failed, with this reason."""


@dataclass
class Person:
    email: str = ""
    name: str = ""
    external_id: str = ""  # the tool's id of the person, looked up through its API when there is no email

    def __str__(self):
        return self.name or self.email or "someone"


@dataclass
class Entry:
    kind: str
    what: str
    who: str = ""
    ref: str = ""  # the tool's id of the message or comment, for later edits and deletions
    person: Person | None = None  # who wrote it, when the tool gives only its id of them


@dataclass
class Event:
    """One event about one record in a tool (a ticket, a paged incident, an issue, a channel)."""

    record: str
    at: datetime
    type: str
    url: str = ""
    title: str = ""
    customer: str = ""
    severity: str = ""
    team_key: str = ""
    #: Whether the record is an escalation by the source's rule, as of this event (None: not said).
    escalation: bool | None = None
    milestones: dict = field(default_factory=dict)  # milestone field → moment
    reopened: bool = False
    roles: list = field(default_factory=list)  # (OwnershipRole, Person)
    entries: list = field(default_factory=list)  # Entry
    satisfaction: int | None = None
    edit: tuple | None = None  # (ref, new text)
    delete: str = ""  # ref
    #: Link the record to this Baton incident (a Slack channel's `/baton link 42`, a generic payload).
    link_incident: int | None = None
    #: Answered to the sender at once (Slack's slash command).
    reply: str = ""
    #: Who typed the command (Slack's slash command): they must be known to Baton.
    requested_by: Person | None = None


def moment(value, what="time"):
    """A tool's timestamp (ISO 8601 or epoch milliseconds) as an aware UTC datetime in Baton's window."""
    try:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, int | float):
            parsed = datetime.fromtimestamp(value / 1000, tz=UTC)
        else:
            parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise Unparseable(f"The {what} “{str(value)[:60]}” is not a timestamp.") from None
    if moments.check_window({"at": parsed}):
        raise Unparseable(f"The {what} {parsed:%Y-%m-%d} is outside the years Baton records.")
    return parsed


def text(value, limit=100_000):
    """A string field of a payload: anything else is refused, long text is cut."""
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise Unparseable(f"Expected text, found {type(value).__name__}.")
    return clean(str(value))[:limit]


def clean(value):
    """Text a database can store: no NUL, no lone surrogate (JSON may carry "\\ud800")."""
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def obj(value, what):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Unparseable(f"“{what}” should be an object.")
    return value


def items(value, what):
    if value is None:
        return []
    if not isinstance(value, list):
        raise Unparseable(f"“{what}” should be a list.")
    return value
