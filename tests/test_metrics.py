"""The derived metrics and the rubric consolidation, as pure functions."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from reviews.metrics import (
    clarity_score,
    consolidate,
    format_duration,
    incident_metrics,
    ownership_established_at,
)
from reviews.models import OwnershipRole as R

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def incident(**milestones):
    values = {"escalated_at": T0, "first_customer_update_at": None, "resolved_at": None, "satisfaction": None}
    values.update(milestones)
    return SimpleNamespace(**values)


def by_key(metrics):
    return {m.key: m for m in metrics}


def test_time_to_ownership_is_when_the_last_core_role_was_first_held():
    assignments = [
        (R.INVESTIGATION_LEAD, at(10)),
        (R.COMMUNICATIONS_OWNER, at(25)),
        (R.COMMUNICATIONS_OWNER, at(5)),  # an earlier holder counts: first held at 5
        (R.DECISION_OWNER, at(40)),
        (R.CUSTOMER_CONTACT, at(90)),  # not a core role
    ]
    assert ownership_established_at(assignments) == at(40)
    metric = by_key(incident_metrics(incident(), assignments))["time_to_ownership"]
    assert metric.value == timedelta(minutes=40)


def test_time_to_ownership_needs_all_three_core_roles():
    metrics = by_key(incident_metrics(incident(), [(R.INVESTIGATION_LEAD, at(1)), (R.DECISION_OWNER, at(2))]))
    assert metrics["time_to_ownership"].value is None
    assert "Not all three core roles" in metrics["time_to_ownership"].missing


def test_milestone_metrics_and_missing_milestones():
    metrics = by_key(incident_metrics(incident(first_customer_update_at=at(38), satisfaction=4), []))
    assert metrics["time_to_first_update"].value == timedelta(minutes=38)
    assert metrics["time_to_resolution"].value is None
    assert metrics["time_to_resolution"].missing == "Customer resolution not confirmed yet."
    assert metrics["satisfaction"].value == 4


def test_metrics_against_targets():
    targets = {"time_to_first_update": timedelta(minutes=30), "time_to_resolution": timedelta(hours=4)}
    metrics = by_key(incident_metrics(incident(first_customer_update_at=at(38), resolved_at=at(120)), [], targets))
    assert metrics["time_to_first_update"].met is False
    assert metrics["time_to_resolution"].met is True
    assert metrics["time_to_ownership"].met is None


def test_consolidation_median_spread_and_overall_score():
    scores = [(d, 4) for d in range(1, 7)] + [(d, 2) for d in range(1, 7)] + [(d, 5) for d in range(1, 7)]
    summaries = consolidate(scores)
    assert [s.median for s in summaries] == [4.0] * 6
    assert [s.spread for s in summaries] == [3] * 6
    assert all(s.is_wide for s in summaries)
    assert clarity_score(summaries) == 75.0


def test_clarity_score_is_0_to_100_and_none_until_every_dimension_is_scored():
    assert clarity_score(consolidate([(d, 1) for d in range(1, 7)])) == 0.0
    assert clarity_score(consolidate([(d, 5) for d in range(1, 7)])) == 100.0
    assert clarity_score(consolidate([(1, 5)])) is None
    narrow = consolidate([(1, 3), (1, 4)])[0]
    assert narrow.median == 3.5 and narrow.spread == 1 and not narrow.is_wide


def test_format_duration():
    assert format_duration(None) == "—"
    assert format_duration(timedelta(minutes=45)) == "45 min"
    assert format_duration(timedelta(hours=2, minutes=5)) == "2 h 05 min"
    assert format_duration(timedelta(days=3, hours=4, minutes=59)) == "3 d 4 h"


roles = st.sampled_from(list(R))
moments = st.integers(min_value=0, max_value=60 * 24 * 14).map(at)
assignment_lists = st.lists(st.tuples(roles, moments), max_size=30)


@given(assignment_lists, st.randoms())
def test_reordering_assignments_never_changes_the_metrics(assignments, random):
    shuffled = list(assignments)
    random.shuffle(shuffled)
    subject = incident(first_customer_update_at=at(30), resolved_at=at(500), satisfaction=3)
    assert incident_metrics(subject, assignments) == incident_metrics(subject, shuffled)


@given(st.lists(st.tuples(st.integers(1, 6), st.integers(1, 5)), max_size=60), st.randoms())
def test_reordering_scores_never_changes_the_consolidation(scores, random):
    shuffled = list(scores)
    random.shuffle(shuffled)
    assert consolidate(scores) == consolidate(shuffled)
    overall = clarity_score(consolidate(scores))
    assert overall is None or 0 <= overall <= 100


@given(assignment_lists)
def test_time_to_ownership_is_never_negative_and_bounded_by_the_records(assignments):
    value = by_key(incident_metrics(incident(), assignments))["time_to_ownership"].value
    if value is not None:
        assert timedelta(0) <= value <= max(moment for _, moment in assignments) - T0
