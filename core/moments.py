"""The window of moments Baton accepts: from 1970 to ten years ahead.

Escalations, their milestones, role assignments and timeline entries all fall in
it; a year-1 or year-9999 timestamp is a typing mistake, and one that would break
every page shown outside UTC (the local time leaves the range a datetime holds).
"""

from datetime import UTC, date, datetime

from django.utils import timezone

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
YEARS_AHEAD = 10


def latest(now=None):
    now = now or timezone.now()
    try:
        return now.replace(year=now.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return now.replace(year=now.year + YEARS_AHEAD, day=28)


def window_error(moment, now=None):
    """A readable message when ``moment`` (a datetime or a date) is outside the window, else None."""
    if moment is None:
        return None
    last = latest(now)
    if isinstance(moment, datetime):
        outside = moment < EARLIEST or moment > last
    elif isinstance(moment, date):
        outside = moment < EARLIEST.date() or moment > last.date()
    else:
        return None
    if outside:
        return f"Give a date between 1970 and {last.year}."
    return None


def check_window(values, now=None):
    """{field: [message]} for each of ``values`` (field → moment) outside the window."""
    return {field: [message] for field, moment in values.items() if (message := window_error(moment, now))}
