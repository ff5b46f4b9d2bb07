"""Insights figures against hand-computed expectations on a fixed data set."""

from datetime import UTC, date, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from insights import figures as insights
from insights.figures import ORGANISATION as ORG
from reviews.models import (
    ActionItem,
    DimensionResult,
    Incident,
    OwnershipRole,
    Review,
    ReviewState,
    RoleAssignment,
    refresh_ownership_established,
)
from tests.factories import TeamFactory, UserFactory
from tests.test_playbook_services import new_section

Q3 = insights.Period.quarter(2026, 3)
T = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)
CORE = (OwnershipRole.INVESTIGATION_LEAD, OwnershipRole.COMMUNICATIONS_OWNER, OwnershipRole.DECISION_OWNER)


def incident(
    author,
    team,
    *,
    at=T,
    tto=None,
    ttfu=None,
    ttr=None,
    satisfaction=None,
    clarity=None,
    exercise=False,
    section=None,
    dims=None,
    state=ReviewState.PUBLISHED,
):
    """An incident escalated ``at`` whose core roles were all first held ``tto`` minutes later."""
    created = Incident.objects.create(
        title="x",
        customer="Acme",
        team=team,
        escalated_at=at,
        created_by=author,
        satisfaction=satisfaction,
        first_customer_update_at=at + timedelta(minutes=ttfu) if ttfu is not None else None,
        resolved_at=at + timedelta(minutes=ttr) if ttr is not None else None,
        playbook_section=section,
        playbook_version=section.current if section else None,
    )
    if tto is not None:
        for offset, role in zip((tto, 1, 2), CORE, strict=True):  # the last core role arrives at tto
            RoleAssignment.objects.create(
                incident=created,
                role=role,
                person=author,
                started_at=at + timedelta(minutes=min(offset, tto)),
                created_by=author,
            )
    review = Review.objects.create(
        incident=created, facilitator=author, state=state, is_exercise=exercise, clarity_score=clarity
    )
    for dimension, median in (dims or {}).items():
        DimensionResult.objects.create(review=review, dimension=dimension, median=median, spread=0, count=1)
    return created


@pytest.fixture
def data(db, staff, governance):
    author = UserFactory(username="author")
    a, b = TeamFactory(name="Alpha", slug="alpha"), TeamFactory(name="Beta", slug="beta")
    section = new_section(
        staff,
        governance,
        slug="pay",
        pattern="Payment outage",
        target_ownership_minutes=30,
        target_first_update_minutes=30,
        target_resolution_minutes=240,
    )
    # Alpha, Q3: three incidents on the payments pattern
    incident(author, a, tto=10, ttfu=20, ttr=100, satisfaction=4, clarity=80, section=section, dims={1: 4, 4: 2})
    incident(author, a, tto=20, ttfu=40, ttr=200, satisfaction=2, clarity=40, section=section, dims={1: 5, 4: 3})
    incident(author, a, tto=60, ttfu=30, ttr=300, section=section)
    # Beta, Q3: missing milestones and a role gap
    incident(author, b, ttfu=None, ttr=None)
    # An exercise in Q3 and an incident in Q2: excluded from Q3 real-escalation figures
    incident(author, b, tto=5, ttfu=5, ttr=5, exercise=True, clarity=100)
    incident(author, a, at=datetime(2026, 5, 4, tzinfo=UTC), tto=90, ttfu=90, ttr=900, satisfaction=1)
    return {"a": a, "b": b, "section": section, "author": author}


def minutes(value):
    return value.total_seconds() / 60 if value is not None else None


def test_overall_figures(data):
    figures = insights.overall(Q3, viewer=ORG)
    assert figures["incidents"] == 4
    assert minutes(figures["tto_median"]) == 20  # of 10, 20, 60
    assert minutes(figures["tto_p90"]) == pytest.approx(52)  # 20 + 0.8 × 40
    assert minutes(figures["ttfu_median"]) == 30
    assert minutes(figures["ttr_median"]) == 200
    assert minutes(figures["ttr_p90"]) == pytest.approx(280)
    assert figures["satisfaction_mean"] == 3 and figures["satisfaction_count"] == 2
    assert figures["clarity_mean"] == 60
    assert figures["tto_met"] == pytest.approx(2 / 3)  # 10 and 20 within 30, 60 not
    assert figures["ttfu_met"] == 1 / 3 * 2  # 20 and 30 within 30
    assert figures["ttr_met"] == pytest.approx(2 / 3)


def test_per_team_and_pattern(data):
    teams = {row["label"]: row for row in insights.by_group(Q3, "team", viewer=ORG)}
    assert set(teams) == {"Alpha", "Beta"}
    assert teams["Alpha"]["incidents"] == 3 and minutes(teams["Alpha"]["tto_median"]) == 20
    assert teams["Beta"]["incidents"] == 1
    assert teams["Beta"]["tto_median"] is None and teams["Beta"]["ttfu_median"] is None  # missing milestones
    patterns = {row["label"]: row for row in insights.by_group(Q3, "pattern", viewer=ORG)}
    assert patterns["Payment outage"]["incidents"] == 3
    assert minutes(patterns["Payment outage"]["tto_target"]) == 30
    assert patterns["No pattern"]["incidents"] == 1


def test_exercises_are_kept_apart(data):
    assert insights.overall(Q3, "only", viewer=ORG)["incidents"] == 1
    assert minutes(insights.overall(Q3, "only", viewer=ORG)["tto_median"]) == 5
    assert insights.overall(Q3, "include", viewer=ORG)["incidents"] == 5


def test_single_incident_and_empty_periods(data):
    q2 = insights.overall(insights.Period.quarter(2026, 2), viewer=ORG)
    assert q2["incidents"] == 1 and minutes(q2["tto_median"]) == 90 and minutes(q2["tto_p90"]) == 90
    empty = insights.overall(insights.Period.quarter(2025, 1), viewer=ORG)
    assert empty["incidents"] == 0 and empty["tto_median"] is None and empty["satisfaction_mean"] is None


def test_dimensions_trend_actions_and_bottlenecks(data):
    dims = {d["dimension"]: d["mean"] for d in insights.dimensions(Q3)}
    assert dims[1] == 4.5 and dims[4] == 2.5 and dims[2] is None
    trend = insights.trend(Q3, quarters=3, viewer=ORG)
    assert [p.label for p, _ in trend] == ["2026 Q1", "2026 Q2", "2026 Q3"]
    assert [row["incidents"] for _, row in trend] == [0, 1, 4]
    first = Incident.objects.filter(team=data["a"]).first()
    ActionItem.objects.create(
        review=first.review, title="t", owner=data["author"], due_on=date(2026, 9, 1), created_by=data["author"]
    )
    assert insights.actions(Q3, today=date(2026, 10, 1), viewer=ORG) == {"open": 1, "overdue": 1, "done": 0}
    teams = insights.by_group(Q3, "team", viewer=ORG)
    ranked = insights.bottlenecks(teams, insights.by_group(Q3, "pattern", viewer=ORG), insights.dimensions(Q3))
    assert [b["row"]["label"] for b in ranked["teams"]] == ["Beta", "Alpha"]  # Beta never held the trio
    assert [d["dimension"] for d in ranked["dimensions"]] == [4]


def test_periods():
    assert insights.parse_period({"quarter": "2026-Q3"}) == Q3
    custom = insights.parse_period({"from": "2026-08-01", "to": "2026-08-31"})
    assert (custom.start, custom.end) == (date(2026, 8, 1), date(2026, 9, 1))
    assert insights.parse_period({"quarter": "nonsense"}, today=date(2026, 11, 2)).label == "2026 Q4"


def test_dashboard_page_and_api(client, data, staff):
    client.force_login(staff)
    html = client.get("/insights/?quarter=2026-Q3").content.decode()
    assert "Insights · 2026 Q3" in html and "Bottlenecks" in html
    assert "/reviews/?escalated_after=2026-07-01&amp;escalated_before=2026-09-30&amp;exercise=no&amp;team=beta" in html
    api = APIClient()
    api.force_authenticate(staff)
    body = api.get("/api/insights/?quarter=2026-Q3").json()
    assert body["period"]["label"] == "2026 Q3"
    assert body["overall"]["incidents"] == 4 and body["overall"]["tto_median_seconds"] == 1200
    assert {row["label"] for row in body["teams"]} == {"Alpha", "Beta"}


def _bulk(author, teams, section, n, start=0):
    """``n`` incidents with the trio, milestones, a published review and rubric results, in bulk."""
    rows = Incident.objects.bulk_create(
        Incident(
            title=f"i{start + i}",
            customer=f"C{i % 7}",
            team=teams[i % len(teams)],
            created_by=author,
            escalated_at=T + timedelta(minutes=start + i),
            first_customer_update_at=T + timedelta(minutes=start + i + 20),
            resolved_at=T + timedelta(minutes=start + i + 100 + i % 50),
            satisfaction=1 + i % 5,
            playbook_section=section if i % 2 else None,
            playbook_version=section.current if i % 2 else None,
        )
        for i in range(n)
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            incident=row,
            role=role,
            person=author,
            started_at=row.escalated_at + timedelta(minutes=5 + k),
            created_by=author,
        )
        for row in rows
        for k, role in enumerate(CORE)
    )
    refresh_ownership_established(row.pk for row in rows)  # bulk_create sends no signals
    reviews = Review.objects.bulk_create(
        Review(incident=row, facilitator=author, state=ReviewState.PUBLISHED, clarity_score=50 + (i % 40))
        for i, row in enumerate(rows)
    )
    DimensionResult.objects.bulk_create(
        DimensionResult(review=review, dimension=d, median=3, spread=1, count=2)
        for review in reviews
        for d in range(1, 7)
    )


def test_dashboard_and_api_query_counts_are_constant_at_10_and_1000(
    client, staff, governance, django_assert_max_num_queries
):
    client.force_login(staff)
    author = UserFactory(username="bulk")
    teams = [TeamFactory() for _ in range(5)]
    section = new_section(staff, governance, slug="bulk", pattern="Bulk", target_ownership_minutes=30)
    _bulk(author, teams, section, 10)
    with django_assert_max_num_queries(25) as few:
        client.get("/insights/?quarter=2026-Q3")
    with django_assert_max_num_queries(25) as few_api:
        client.get("/api/insights/?quarter=2026-Q3")
    _bulk(author, teams, section, 990, start=10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/insights/?quarter=2026-Q3")
    with django_assert_max_num_queries(len(few_api.captured_queries)):
        body = client.get("/api/insights/?quarter=2026-Q3").json()
    assert body["overall"]["incidents"] == 1000
    assert body["overall"]["tto_median_seconds"] == 7 * 60  # the last of the trio arrives at +7 min
    assert "1000" in response.content.decode()


# Who may see what: Insights follow the review list's rule ---------------------------


def test_insights_count_only_the_reviews_the_reader_may_open(client, data, staff, facilitator):
    hidden = incident(data["author"], data["a"], tto=5, ttfu=5, ttr=5, satisfaction=5, state=ReviewState.DRAFT)
    hidden.title = "Secret draft escalation"
    hidden.save()
    client.force_login(staff)
    api = APIClient()
    api.force_authenticate(staff)
    assert api.get("/api/insights/?quarter=2026-Q3").json()["overall"]["incidents"] == 4
    assert insights.overall(Q3, viewer=staff)["incidents"] == 4
    assert insights.overall(Q3, viewer=facilitator)["incidents"] == 5
    exported = b"".join(client.get("/insights/incidents.csv?quarter=2026-Q3").streaming_content).decode()
    assert "Secret draft escalation" not in exported and exported.count("\n") == 5
    figures = client.get("/insights/figures.csv?quarter=2026-Q3").content.decode()
    assert figures.splitlines()[1].startswith("all,2026 Q3,4,")


def test_a_participant_sees_their_own_draft_counted_but_not_other_drafts(data, staff):
    from reviews.models import Participant

    mine = incident(data["author"], data["a"], tto=5, state=ReviewState.DRAFT)
    incident(data["author"], data["a"], tto=5, state=ReviewState.DRAFT)
    Participant.objects.create(review=mine.review, user=staff, invited_by=data["author"])
    assert insights.overall(Q3, viewer=staff)["incidents"] == 5


def test_a_drafts_provisional_clarity_is_left_out_of_the_mean(data):
    incident(data["author"], data["a"], tto=5, clarity=0, state=ReviewState.IN_REVIEW)
    assert insights.overall(Q3, viewer=ORG)["clarity_mean"] == 60  # 80 and 40, published


def test_the_insights_cache_keeps_each_readers_figures_apart(client, data, staff, facilitator, settings):
    settings.INSIGHTS_CACHE_SECONDS = 300
    from django.core.cache import cache

    cache.clear()
    incident(data["author"], data["a"], tto=5, state=ReviewState.DRAFT)
    api = APIClient()
    api.force_authenticate(facilitator)
    assert api.get("/api/insights/?quarter=2026-Q3").json()["overall"]["incidents"] == 5
    api.force_authenticate(staff)
    assert api.get("/api/insights/?quarter=2026-Q3").json()["overall"]["incidents"] == 4


# Figures that tell the truth --------------------------------------------------------


def test_an_escalation_whose_ownership_was_never_established_missed_its_target(data):
    incident(data["author"], data["a"], tto=None, section=data["section"])  # the trio was never all held
    figures = insights.overall(Q3, viewer=ORG)
    assert figures["tto_met"] == pytest.approx(2 / 4)  # 10 and 20 met; 60 and never missed


def test_bottlenecks_link_to_the_reviews_behind_them_by_section(client, data, staff):
    section = data["section"]
    section.current.pattern = "Renamed payment outage"
    section.current.save()
    client.force_login(staff)
    html = client.get("/insights/?quarter=2026-Q3").content.decode()
    assert "section=pay" in html and "pattern=Payment" not in html
    assert "section=none" in html  # "No pattern" opens the escalations that matched no section
    assert "weak_dimension=4" in html  # the weak rubric dimension links to its reviews
    listed = client.get("/reviews/?section=none&escalated_after=2026-07-01&escalated_before=2026-09-30")
    assert listed.status_code == 200


def test_the_reviews_behind_a_section_link_are_that_sections(client, data, staff):
    client.force_login(staff)
    api = APIClient()
    api.force_authenticate(staff)
    by_section = api.get("/api/reviews/?section=pay").json()["results"]
    assert len(by_section) == 3
    assert {row["incident"]["playbook_section"] for row in by_section} == {data["section"].pk}
    no_section = api.get("/api/reviews/?section=none").json()["results"]
    assert len(no_section) == 3 and all(row["incident"]["playbook_section"] is None for row in no_section)
    weak = api.get("/api/reviews/?weak_dimension=4").json()["results"]
    assert len(weak) == 2  # both published reviews scored dimension 4 below 3.5


@pytest.mark.parametrize(
    "query", ["from=0001-01-01&to=2026-09-30", "from=2026-01-01&to=9999-12-31", "quarter=0001-Q1", "exercises=maybe"]
)
def test_extreme_or_unknown_insights_parameters_are_a_400_in_the_api_and_a_message_on_the_page(client, staff, query):
    api = APIClient()
    api.force_authenticate(staff)
    response = api.get(f"/api/insights/?{query}")
    assert response.status_code == 400 and set(response.json()) & {"from", "to", "quarter", "exercises"}
    client.force_login(staff)
    page = client.get(f"/insights/?{query}")
    assert page.status_code == 200 and "Showing this quarter instead" in page.content.decode()
    assert client.get(f"/insights/incidents.csv?{query}").status_code == 400
