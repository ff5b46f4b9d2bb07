"""The whole API, fuzzed from its own OpenAPI schema.

Schemathesis generates requests for every operation in the schema that
``/api/schema/`` serves (valid ones and deliberately invalid ones), sends them
in-process to the WSGI application with a signed-in facilitator's or staff
member's token, and runs every check Schemathesis has on each answer: no server
error; the status, content type, headers and body are the documented ones; valid
input is accepted and invalid input refused; an operation that needs credentials
refuses a request without them or with bad ones (``ignored_auth`` sends those
itself); an undeclared method is a 405 with ``Allow``. What is left out, and why:
``EXCLUDED`` and ``inapplicable``. A second test walks the API statefully (create,
then read, change and delete what was created), which is where ``use_after_free``
and ``ensure_resource_availability`` apply.

A few incidents, reviews, timeline entries, findings, action items, playbook
sections, revisions (one proposing a new section), tasks and recognitions exist,
and path parameters often name one of them, so detail routes reach real objects
and not only 404s. The seed is fixed (``derandomize``): every run sends the same
requests.

Left out: ``/api/schema/`` and ``/api/docs/`` themselves (they describe the API;
the first is compared with the document fuzzed here).
"""

import os
import zlib
from datetime import timedelta

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoverageScenario
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    object_level_authorization,
    positive_data_acceptance,
)

from playbook import services as playbook_services
from recognition import services as recognition_services
from reviews import services as review_services
from reviews.models import ActionKind, EntryKind, OwnershipRole
from tests.factories import MembershipFactory, TeamFactory, UserFactory, make_review

#: Generated requests per operation and role (every operation × 2 roles), on top of the coverage phase's.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
#: Stateful scenarios (sequences of up to six linked calls).
WORKFLOWS = int(os.environ.get("FUZZ_WORKFLOWS", "40"))

APP = WSGIHandler()  # the application, in-process (see in_process below)

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = APP  # every request goes to it, the checks' own (ignored_auth's probes) too
# The schema's own examples; the coverage phase's boundary values of valid and invalid
# input and undeclared methods (every operation, deterministic); then MAX_EXAMPLES generated
# requests, valid and invalid. "stateful" lets Schemathesis infer the links test_api_workflows follows.
schema.config.phases.update(phases=["examples", "coverage", "fuzzing", "stateful"])
schema.config.phases.coverage.generation.modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
# The API refuses a NUL character anywhere in the query before any view, as a 400
# (PostgreSQL cannot store or compare it). Generating NULs would only turn valid
# values into invalid ones, so positive_data_acceptance could not hold.
schema.config.generation.update(allow_x00=False)

# Ids of the objects the fixture made, by the path prefix that names them; filled per test.
KNOWN: dict[str, list] = {}


def point_at_known_objects(case):
    """Point most path parameters at an object that exists: the coverage phase's "0" always
    (the first object), two in three generated ones (chosen by the generated value).
    Deliberately invalid ones stay as they are: they test that the API refuses them."""
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH):
        return
    for name, value in list((case.path_parameters or {}).items()):
        path = case.operation.path
        if name == "number":
            candidates = KNOWN["#number"]
        else:
            candidates = next((ids for prefix, ids in KNOWN.items() if path.startswith(prefix)), [])
        index = zlib.crc32(str(value).encode())
        if candidates and (str(value) == "0" or index % 3):
            case.path_parameters[name] = candidates[0 if str(value) == "0" else index % len(candidates)]


@pytest.fixture
def api_world(db, facilitator, staff, governance):
    """Some of everything, created through the services as people would."""
    payments = TeamFactory(slug="payments", name="Payments")
    support = TeamFactory(slug="support", name="Support")
    MembershipFactory(team=support, user=facilitator)
    MembershipFactory(team=payments, user=governance)
    colleague = UserFactory(username="colleague")

    revision = playbook_services.revision_create(
        staff,
        content={"pattern": "Payment outage", "target_first_update_minutes": 30, "change_authority": "On-call lead"},
        rationale="First version",
        new_slug="payment-outage",
        new_owner=staff,
        submit=True,
    )
    section = playbook_services.revision_approve(
        governance, revision, attest_regulatory=True, attest_blameless=True
    ).section
    draft = playbook_services.revision_create(
        staff,
        section=section,
        content=section.current.content() | {"target_first_update_minutes": 20},
        rationale="Customers asked sooner",
        submit=False,
    )
    submitted = playbook_services.revision_create(
        facilitator,
        section=section,
        content=section.current.content() | {"change_authority": "Incident lead"},
        rationale="Clearer authority",
        submit=True,
    )
    proposed = playbook_services.revision_create(  # a new section: its section is null until approved
        facilitator,
        content={"pattern": "Card declines", "target_first_update_minutes": 30},
        rationale="A pattern we keep meeting",
        new_slug="card-declines",
        new_owner=staff,
        submit=True,
    )
    playbook_services.cycle_reconcile()

    reviews = []
    for n, (team, hours) in enumerate([(payments, 72), (support, 30), (None, 10)]):
        review = make_review(
            facilitator,
            hours_ago=hours,
            title=f"Incident {n}",
            team=team,
            playbook_section=section,
            narrative="The alert reached the on-call engineer, who paged the payments team.",
        )
        incident = review.incident
        start = incident.escalated_at
        review_services.role_assign(
            facilitator,
            incident,
            role=OwnershipRole.INVESTIGATION_LEAD,
            person=staff,
            started_at=start + timedelta(minutes=5),
        )
        review_services.timeline_entry_add(
            facilitator,
            incident,
            at=start + timedelta(minutes=7),
            kind=EntryKind.DECISION,
            who="Payments",
            what="Rolled back the release.",
        )
        finding = review_services.finding_add(facilitator, review, text="Nobody owned the customer update.")
        review_services.action_item_add(
            facilitator,
            review,
            title="Name a communications owner",
            owner=staff,
            due_on=timezone.localdate() + timedelta(days=7 * (n + 1)),
            kind=ActionKind.OWNERSHIP_MAP,
            finding=finding,
        )
        review_services.participant_invite(facilitator, review, invitee=staff)
        reviews.append(review)
    review_services.review_start(facilitator, reviews[1])
    review_services.review_start(facilitator, reviews[2])
    review_services.scores_save(
        staff, reviews[2], scores=dict.fromkeys(range(1, 7), (4, "Roles were clear.")), submit=True
    )
    review_services.review_publish(facilitator, reviews[2])

    recognition = recognition_services.recognition_give(
        staff, team=support, category="clear_ownership", message="Clear ownership from the first minute."
    )
    recognition_services.recognition_give(
        colleague, person=facilitator, category="clean_handover", message="A handover with everything in it."
    )
    recognition_services.recognition_second(governance, recognition)

    from playbook.models import ReviewCycle, ReviewTask
    from recognition.models import Recognition
    from reviews.models import ActionItem, Finding, RoleAssignment, TimelineEntry

    KNOWN.clear()
    KNOWN.update(
        {
            "/api/reviews/": [r.pk for r in reviews],
            "/api/incidents/": [r.incident_id for r in reviews],
            "/api/role-assignments/": list(RoleAssignment.objects.values_list("pk", flat=True)),
            "/api/timeline-entries/": list(TimelineEntry.objects.values_list("pk", flat=True)),
            "/api/findings/": list(Finding.objects.values_list("pk", flat=True)),
            "/api/action-items/": list(ActionItem.objects.values_list("pk", flat=True)),
            "/api/recognitions/": list(Recognition.objects.values_list("pk", flat=True)),
            "/api/teams/": ["payments", "support"],
            "/api/playbook/sections/": [section.slug],
            "/api/playbook/revisions/": [revision.pk, draft.pk, submitted.pk, proposed.pk],
            "/api/playbook/cycles/": list(ReviewCycle.objects.values_list("pk", flat=True)),
            "/api/playbook/tasks/": list(ReviewTask.objects.values_list("pk", flat=True)),
            "#number": [1],
        }
    )
    yield
    KNOWN.clear()


@pytest.fixture
def in_process():
    """Keep the test's database connection (and its transaction) across requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["facilitator", "staff"])
def token(request, api_world):
    user = request.getfixturevalue(request.param)
    return Token.objects.create(user=user).key


UNKNOWN_CHOICE = "Select a valid choice. That choice is not one of the available choices."
#: Rules between parameters that OpenAPI cannot state: Insights takes a quarter, or from and
#: to together with to on or after from. A 400 naming only these may answer valid values.
COMBINED = {"GET /api/insights/": {"quarter", "from", "to"}}


#: Left out everywhere. object_level_authorization replays one identity's reads as another's
#: through Schemathesis' own auth providers; here each role is a test of its own, and who may
#: read what is tests/test_permissions_matrix.py's subject.
EXCLUDED = [object_level_authorization]


def excluded_checks(case, response):
    """The checks left out for this answer; every other one runs."""
    return EXCLUDED + inapplicable(case, response)


def inapplicable(case, response):
    """The checks whose premise this request and answer do not meet."""
    # DRF reads a body value of another JSON type as the field's own when it can (0.9 for a
    # text field is "0.9", "5" for a number is 5, 1 for a boolean is true), on purpose, as a
    # form would send it; the API keeps that leniency.
    if only_body_types_changed(case):
        return [negative_data_rejection]
    # A write answers for the state it finds, which no schema describes: a valid body
    # may still be refused (a 400 to start a review already started, to name a person
    # who left, or a date the rules forbid; a 412 for an out-of-date If-Match).
    if case.method != "GET":
        return [positive_data_acceptance]
    # A filter naming an object that does not exist (?team=<slug>, ?author=<id>) is a 400
    # naming it; the schema cannot list which slugs and ids exist.
    body = response.json() if response.status_code == 400 else None
    if isinstance(body, dict) and all(messages == [UNKNOWN_CHOICE] for messages in body.values()):
        return [positive_data_acceptance]
    if isinstance(body, dict) and body and set(body) <= COMBINED.get(case.operation.label, set()):
        return [positive_data_acceptance]
    return []


def only_body_types_changed(case):
    """Whether this invalid request's only fault is the JSON type of values in its body."""
    if case.meta is None or not case.meta.generation.mode.is_negative:
        return False
    data = case.meta.phase.data
    if getattr(data, "scenario", None) == CoverageScenario.INCORRECT_TYPE:
        return data.parameter_location == ParameterLocation.BODY
    return bool(data.mutations) and all(
        m.parameter_location == ParameterLocation.BODY and m.keywords == ("type",) for m in data.mutations
    )


def log(case, response):
    if os.environ.get("FUZZ_STATS"):  # a log of what was sent, for counting
        with open(os.environ["FUZZ_STATS"], "a") as f:
            phase = case.meta.phase.name if case.meta else ""
            f.write(f"{case.operation.label}\t{response.status_code}\t{phase}\n")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api(case, token, in_process):
    point_at_known_objects(case)
    headers = {"Authorization": f"Token {token}"}
    response = case.call(headers=headers)
    case.validate_response(
        response,
        headers=headers,
        excluded_checks=excluded_checks(case, response),
        transport_kwargs={"headers": headers},
    )
    log(case, response)


def test_api_workflows(api_world, facilitator, in_process):
    """Sequences of calls that follow the links Schemathesis infers between operations
    (create an item, then read, change or delete it), as a facilitator, who may make
    most changes. Every check runs on every step, the stateful ones included: what was
    just created can be read (ensure_resource_availability) and what was deleted cannot
    (use_after_free)."""
    headers = {"Authorization": f"Token {Token.objects.create(user=facilitator).key}"}

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            excluded = excluded_checks(case, response)
            case.validate_response(
                response, headers=headers, excluded_checks=excluded, transport_kwargs=kwargs, recorder=self.recorder
            )
            log(case, response)

    Workflow.run(
        settings=settings(
            max_examples=WORKFLOWS,
            stateful_step_count=6,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )


def test_the_fuzzed_schema_is_the_one_the_api_serves(client, staff):
    client.force_login(staff)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    served = schemathesis.openapi.from_dict(response.json())
    assert sorted(op.ok().label for op in served.get_all_operations()) == sorted(
        op.ok().label for op in schema.get_all_operations()
    )
