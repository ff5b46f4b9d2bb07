"""Metrics derived from an incident's own records, and the rubric consolidation.

Pure functions over plain values: the same code serves the review page, the
API and the tests (including property-based ones). Nothing here is typed in
by a person; everything falls out of milestones, role assignments and scores.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from core.durations import format_duration
from reviews.models import CORE_ROLES, Dimension

#: A spread (highest minus lowest score) at or above this is a finding in itself:
#: people disagree about who owned what.
WIDE_SPREAD = 2


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    value: object  # timedelta, int or None when the records do not allow it
    target: object = None  # timedelta target from the playbook, when one exists
    missing: str = ""  # why there is no value

    @property
    def target_shown(self):
        return format_duration(self.target) if self.target is not None else ""

    @property
    def met(self):
        if self.value is None or self.target is None:
            return None
        return self.value <= self.target


def ownership_established_at(assignments):
    """When all three core roles had first been held: the latest of their first starts.

    ``assignments`` is an iterable of ``(role, started_at)``; order does not matter.
    """
    first = {}
    for role, started_at in assignments:
        if role in CORE_ROLES and (role not in first or started_at < first[role]):
            first[role] = started_at
    if len(first) < len(CORE_ROLES):
        return None
    return max(first.values())


def _since(escalated_at, moment):
    if escalated_at is None or moment is None:
        return None
    return max(moment - escalated_at, timedelta(0))


def incident_metrics(incident, assignments, targets=None):
    """The four escalation metrics for ``incident``.

    ``assignments``: ``(role, started_at)`` pairs; ``targets``: optional mapping of
    metric key to a timedelta target (from the playbook section).
    """
    targets = targets or {}
    established = ownership_established_at(assignments)
    return [
        Metric(
            "time_to_ownership",
            "Time to ownership",
            _since(incident.escalated_at, established),
            targets.get("time_to_ownership"),
            "" if established else "Not all three core roles (lead, communications, decision) were held.",
        ),
        Metric(
            "time_to_first_update",
            "Time to first customer update",
            _since(incident.escalated_at, incident.first_customer_update_at),
            targets.get("time_to_first_update"),
            "" if incident.first_customer_update_at else "No first customer update recorded.",
        ),
        Metric(
            "time_to_resolution",
            "Time to resolution",
            _since(incident.escalated_at, incident.resolved_at),
            targets.get("time_to_resolution"),
            "" if incident.resolved_at else "Customer resolution not confirmed yet.",
        ),
        Metric(
            "satisfaction",
            "Customer satisfaction",
            incident.satisfaction,
            None,
            "" if incident.satisfaction else "No satisfaction score recorded.",
        ),
    ]


WEAK_MEDIAN = 3.5  # a rubric dimension whose consolidated median is below this is a bottleneck


@dataclass(frozen=True)
class DimensionSummary:
    dimension: int
    label: str
    median: float | None
    spread: int | None
    count: int

    @property
    def is_wide(self):
        return self.spread is not None and self.spread >= WIDE_SPREAD


def consolidate(scores):
    """Per rubric dimension the median and spread of ``(dimension, score)`` pairs."""
    by_dimension = defaultdict(list)
    for dimension, score in scores:
        by_dimension[int(dimension)].append(score)
    result = []
    for dimension in Dimension:
        values = by_dimension.get(dimension.value, [])
        result.append(
            DimensionSummary(
                dimension=dimension.value,
                label=dimension.label,
                median=float(median(values)) if values else None,
                spread=(max(values) - min(values)) if values else None,
                count=len(values),
            )
        )
    return result


def clarity_score(summaries):
    """The overall ownership-clarity score, 0–100: the mean of the dimension
    medians, with 1 mapped to 0 and 5 to 100. None until every dimension has a score."""
    medians = [summary.median for summary in summaries]
    if not medians or any(value is None for value in medians):
        return None
    mean = sum(medians) / len(medians)
    return round((mean - 1) / 4 * 100, 1)
