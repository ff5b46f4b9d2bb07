"""Engineering trackers that action items can be sent to. Each tracker is one module with the same
five functions, so a second tracker (Linear, GitHub Issues) is one more module (``NAME`` and six functions):

    configured() -> bool                      its settings are present
    find(item) -> Issue | None                the issue made for this action item, if any (the
                                              marker label), so a retried creation finds it
    create(item) -> Issue                     make the issue
    is_done(key) -> bool                      whether the issue is done now
    close(key) -> None                        move the issue to done
    webhook(headers, body) -> (key, done)     a verified webhook's issue and whether it is done
                                              (raises integrations.signatures.Unverified)

``TRACKER`` names the one in use (``jira``).
"""

from django.conf import settings

from integrations.trackers import jira
from integrations.trackers.base import Issue, TrackerError, TrackerUnsure, marker

__all__ = ["Issue", "TrackerError", "TrackerUnsure", "current", "marker"]

TRACKERS = {"jira": jira}


def current():
    """The configured tracker module, or None."""
    tracker = TRACKERS.get(settings.TRACKER)
    return tracker if tracker is not None and tracker.configured() else None
