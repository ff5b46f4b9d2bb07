"""What every tracker module shares: the issue it reports, its error, and the marker label."""

from dataclasses import dataclass


@dataclass
class Issue:
    key: str
    url: str
    done: bool = False


class TrackerError(Exception):
    """The tracker refused or could not be reached; the message says why, for the page."""


class TrackerUnsure(TrackerError):
    """No answer came: the tracker may have acted (made the issue) all the same."""


def marker(item):
    """The label that names an action item's issue, so a retry finds what an earlier try made."""
    return f"baton-action-{item.pk}"
