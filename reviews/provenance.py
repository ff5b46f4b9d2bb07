"""Where the facts on a review page came from.

Apps that bring facts in from elsewhere (integrations) register a provider; the review page
asks each for the incident's :class:`Provenance` and shows, beside a milestone, a role
assignment or a timeline entry, which tool said so, and what a tool reported that was kept
beside a value set by hand. Reviews knows nothing of the tools themselves.
"""

from dataclasses import dataclass, field

_providers = []


@dataclass
class Origin:
    source: str  # the tool's name as connected, e.g. "Zendesk (support)"
    event: str  # the tool's event type
    url: str = ""  # the record in the tool
    delivery_url: str = ""  # the stored delivery in Baton (for those who may see it)


@dataclass
class Elsewhere:
    tracker: str  # "Jira"
    key: str = ""  # "OPS-12", empty while it is being made
    url: str = ""
    error: str = ""


@dataclass
class Provenance:
    milestones: dict = field(default_factory=dict)  # field → Origin
    assignments: dict = field(default_factory=dict)  # assignment id → Origin
    entries: dict = field(default_factory=dict)  # entry id → Origin
    reported: dict = field(default_factory=dict)  # field or "role:<role>" → [(Origin, shown value, note)]
    panels: list = field(default_factory=list)  # HTML the providers add to the page (safe strings)
    actions: dict = field(default_factory=dict)  # action item id → Elsewhere (its issue in a tracker)
    send_to: str = ""  # the tracker action items can be sent to, for those who may send them
    sendable: dict = field(default_factory=dict)  # action item id → the address that sends it there

    def merge(self, other):
        self.milestones |= other.milestones
        self.assignments |= other.assignments
        self.entries |= other.entries
        for key, values in other.reported.items():
            self.reported.setdefault(key, []).extend(values)
        self.panels.extend(other.panels)
        self.actions |= other.actions
        self.send_to = self.send_to or other.send_to
        self.sendable |= other.sendable


def register(provider):
    """``provider(request, review)`` → Provenance; registered once per process (AppConfig.ready)."""
    if provider not in _providers:
        _providers.append(provider)


def for_review(request, review):
    provenance = Provenance()
    for provider in _providers:
        provenance.merge(provider(request, review))
    return provenance
