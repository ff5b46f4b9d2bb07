"""The API's contract: a bad query parameter is a 400 naming it, the schema documents
every status an operation answers with its body, and the answers match the schema."""

from datetime import date, timedelta

import pytest
import schemathesis
from django.core.exceptions import ValidationError
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from insights import figures as insights
from insights.params import parse_insights_params
from playbook import services as playbook_services
from playbook.models import Section
from recognition import services as recognition_services
from recognition.models import Recognition
from tests.factories import TeamFactory, make_review

TODAY = date(2026, 11, 2)


@pytest.fixture
def api(facilitator):
    client = APIClient()
    client.force_authenticate(facilitator)
    return client


@pytest.fixture
def schema(db):
    return SchemaGenerator().get_schema(request=None, public=True)


def make_section(staff, governance, slug):
    content = {"pattern": f"Pattern {slug}", "target_first_update_minutes": 30}
    revision = playbook_services.revision_create(
        staff, content=content, rationale="First version", new_slug=slug, new_owner=staff, submit=True
    )
    return playbook_services.revision_approve(
        governance, revision, attest_regulatory=True, attest_blameless=True
    ).section


def listed(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# A bad query parameter -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/reviews/?escalated_before=2026-02-30", "escalated_before"),
        ("/api/reviews/?section=no-such-section", "section"),
        ("/api/reviews/?ordering=title", "ordering"),
        ("/api/incidents/?escalated_at__lte=yesterday", "escalated_at__lte"),
        ("/api/action-items/?overdue=maybe", "overdue"),
        ("/api/action-items/?ordering=-title", "ordering"),
        ("/api/timeline-entries/?kind=rumour", "kind"),
        ("/api/playbook/sections/?is_active=maybe", "is_active"),
        ("/api/playbook/revisions/?state=lost", "state"),
        ("/api/playbook/tasks/?mine=maybe", "mine"),
        ("/api/recognitions/?quarter=2026-Q5", "quarter"),
        ("/api/recognitions/?category=kindness", "category"),
        ("/api/recognitions/?team=no-such-team", "team"),
        ("/api/teams/?ordering=slug", "ordering"),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_the_parameter(api, path, parameter):
    response = api.get(path)
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_a_malformed_date_filter_is_a_400_naming_the_parameter(api):
    response = api.get("/api/reviews/?escalated_before=2026-13-01")
    assert response.status_code == 400
    assert response.json() == {"escalated_before": ["Enter a valid date."]}


def test_ordering_by_an_unknown_field_is_a_400_listing_the_valid_ones(api):
    response = api.get("/api/action-items/?ordering=due_on,owner")
    assert response.status_code == 400
    assert response.json() == {"ordering": ["Order by one or more of: due_on, -due_on."]}


def test_search_and_ordering_are_parameters_only_where_the_view_searches_and_orders(schema):
    def names(path):
        return {p["name"] for p in schema["paths"][path]["get"]["parameters"]}

    assert {"search", "ordering"} <= names("/api/teams/")
    assert not {"search", "ordering"} & names("/api/playbook/cycles/")
    assert "search" not in names("/api/reviews/")  # reviews search with q
    ordering = next(p for p in schema["paths"]["/api/reviews/"]["get"]["parameters"] if p["name"] == "ordering")
    assert set(ordering["schema"]["enum"]) == {
        "incident__escalated_at",
        "-incident__escalated_at",
        "shown_clarity",
        "-shown_clarity",
    }


@pytest.mark.parametrize(("value", "active"), [("true", ["live"]), ("false", ["retired"]), ("", ["live", "retired"])])
def test_sections_are_filtered_by_is_active(api, staff, governance, value, active):
    make_section(staff, governance, "live")
    make_section(staff, governance, "retired")
    Section.objects.filter(slug="retired").update(is_active=False)
    response = api.get(f"/api/playbook/sections/?is_active={value}")
    assert [row["slug"] for row in response.json()["results"]] == active


def test_recognitions_are_filtered_by_team_category_and_quarter(api, staff, governance):
    support, payments = TeamFactory(slug="support"), TeamFactory(slug="payments")
    old = recognition_services.recognition_give(
        governance, team=support, category="clean_handover", message="Handover notes."
    )
    Recognition.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    new = recognition_services.recognition_give(
        governance, team=support, category="learning_shared", message="Shared it."
    )
    other = recognition_services.recognition_give(
        governance, team=payments, category="clean_handover", message="Thanks."
    )
    quarter = f"{timezone.localdate().year}-Q{(timezone.localdate().month - 1) // 3 + 1}"

    assert listed(api.get("/api/recognitions/?team=support")) == [new.pk, old.pk]
    assert listed(api.get("/api/recognitions/?category=clean_handover")) == [other.pk, old.pk]
    assert listed(api.get(f"/api/recognitions/?quarter={quarter}&team=support")) == [new.pk]


# The section filter ----------------------------------------------------------------


@pytest.fixture
def sectioned(facilitator, staff, governance):
    """Reviews of incidents under two playbook sections and one under none."""
    outage, declines = make_section(staff, governance, "payment-outage"), make_section(staff, governance, "declines")
    return {
        "payment-outage": make_review(facilitator, title="Outage", playbook_section=outage),
        "declines": make_review(facilitator, title="Declines", playbook_section=declines),
        "none": make_review(facilitator, title="Unmapped"),
    }


@pytest.mark.parametrize("section", ["payment-outage", "declines", "none"])
def test_reviews_are_filtered_by_playbook_section_or_none(api, sectioned, section):
    assert listed(api.get(f"/api/reviews/?section={section}")) == [sectioned[section].pk]


def test_the_review_list_page_filters_by_section(client, facilitator, sectioned):
    client.force_login(facilitator)
    page = client.get("/reviews/?section=none").content.decode()
    assert "Unmapped" in page and "Outage" not in page


@pytest.mark.parametrize("query", ["section=no-such-section", "escalated_before=2026-02-30", "team=nobody"])
def test_a_bad_filter_on_the_review_list_page_is_a_form_error(client, facilitator, sectioned, query):
    client.force_login(facilitator)
    response = client.get(f"/reviews/?{query}")
    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()


# Insights' parameters --------------------------------------------------------------


def test_insights_default_to_this_quarter_and_real_escalations():
    assert parse_insights_params({}, today=TODAY) == (insights.Period.quarter(2026, 4), "exclude")


@pytest.mark.parametrize(
    ("params", "period"),
    [
        ({"quarter": "2026-Q3", "exercises": "only"}, insights.Period.quarter(2026, 3)),
        ({"quarter": "1970-Q1"}, insights.Period.quarter(1970, 1)),
        ({"from": "1970-01-01", "to": "2036-12-31"}, insights.parse_period({"from": "1970-01-01", "to": "2036-12-31"})),
        ({"from": "2026-08-01", "to": "2026-08-01"}, insights.parse_period({"from": "2026-08-01", "to": "2026-08-01"})),
    ],
)
def test_insights_accept_a_quarter_or_a_range_within_the_window(params, period):
    assert parse_insights_params(params, today=TODAY)[0] == period


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"quarter": "nonsense"}, "quarter"),
        ({"quarter": "1969-Q4"}, "quarter"),
        ({"quarter": "2037-Q1"}, "quarter"),
        ({"quarter": "2026-Q3", "from": "2026-08-01", "to": "2026-08-31"}, "quarter"),
        ({"from": "0001-01-01", "to": "2026-01-01"}, "from"),
        ({"from": "2026-01-01", "to": "9999-12-31"}, "to"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
        ({"from": "20260101", "to": "2026-03-01"}, "from"),
        ({"from": "2026-01-01"}, "to"),
        ({"to": "2026-01-01"}, "from"),
        ({"from": "2026-03-01", "to": "2026-01-01"}, "to"),
        ({"exercises": "nope"}, "exercises"),
    ],
)
def test_a_bad_insights_parameter_is_a_field_error_naming_it(params, parameter):
    with pytest.raises(ValidationError) as error:
        parse_insights_params(params, today=TODAY)
    assert list(error.value.message_dict) == [parameter]


# The schema documents every answer -------------------------------------------------

ERROR = {"$ref": "#/components/schemas/Error"}


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def test_every_operation_documents_401_404_and_406_with_an_error_body(schema):
    for path, method, operation in operations(schema):
        for code in ("401", "404", "406"):
            assert operation["responses"][code]["content"]["application/json"]["schema"] == ERROR, (method, path, code)


def test_every_write_documents_400_and_403_and_a_body_413_and_415(schema):
    for path, method, operation in operations(schema):
        if method == "GET":
            continue
        assert {"400", "403"} <= set(operation["responses"]), (method, path)
        assert ({"413", "415"} <= set(operation["responses"])) == ("requestBody" in operation), (method, path)


def test_writes_that_send_a_version_document_the_conflict_and_if_match_the_failed_precondition(schema):
    conflict = {"$ref": "#/components/schemas/VersionConflict"}
    review = schema["paths"]["/api/reviews/{id}/"]["patch"]
    assert review["responses"]["409"]["content"]["application/json"]["schema"] == conflict
    assert review["responses"]["412"]["content"]["application/json"]["schema"] == conflict
    assert "If-Match" in {p["name"] for p in review["parameters"] if p["in"] == "header"}
    assert "412" not in schema["paths"]["/api/reviews/{id}/amend/"]["post"]["responses"]  # no If-Match there
    assert "409" not in schema["paths"]["/api/reviews/{id}/start/"]["post"]["responses"]


# The answers match the schema ------------------------------------------------------


@pytest.fixture
def check(schema, facilitator):
    """Send one request in-process as the facilitator and check its status and body against the schema."""
    contract = schemathesis.openapi.from_dict(schema)
    token = Token.objects.create(user=facilitator).key
    # Keep the test's database connection (and its transaction) across the request, as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def send(path, method, **request):
        case = contract[path][method].Case(media_type="application/json", **request)
        response = case.call(app=WSGIHandler(), headers={"Authorization": f"Token {token}"})
        case.validate_response(response, checks=[status_code_conformance, response_schema_conformance])
        return response

    yield send
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_a_stale_if_match_answers_the_documented_412(check, facilitator):
    review = make_review(facilitator)
    edit = {"path_parameters": {"id": review.pk}, "body": {"narrative": "Later."}}
    assert check("/api/reviews/{id}/", "PATCH", headers={"If-Match": '"7"'}, **edit).status_code == 412


def test_a_stale_version_answers_the_documented_409(check, facilitator):
    review = make_review(facilitator)
    edit = {"path_parameters": {"id": review.pk}, "body": {"narrative": "Later.", "version": 7}}
    assert check("/api/reviews/{id}/", "PATCH", **edit).status_code == 409


def test_a_bad_filter_answers_the_documented_400(check):
    response = check("/api/playbook/tasks/", "GET", query={"mine": "maybe"})
    assert response.json() == {"mine": ["Enter true or false."]}


def test_a_revision_proposing_a_new_section_matches_its_schema(check, facilitator, staff):
    content = {"pattern": "Card declines", "target_first_update_minutes": 30}
    revision = playbook_services.revision_create(
        facilitator, content=content, rationale="A new pattern", new_slug="card-declines", new_owner=staff, submit=True
    )
    response = check("/api/playbook/revisions/{id}/", "GET", path_parameters={"id": revision.pk})
    assert response.json()["section"] is None


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        ("0919-12-14T01:12:56-21:08", 200),  # PostgreSQL refused this offset on an old date: a 500
        ("6222-01-06T08:54:51.76-10:44", 200),
        ("0001-01-01T01:00:00+14:00", 400),  # before year 1 in UTC
    ],
)
def test_a_moment_filter_compares_in_utc_and_never_answers_500(facilitator, moment, status):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(facilitator)
    response = client.get("/api/incidents/", {"escalated_at__gte": moment})
    assert response.status_code == status
    if status == 400:
        assert "escalated_at__gte" in response.json()
