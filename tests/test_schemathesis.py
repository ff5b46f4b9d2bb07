"""The whole API, fuzzed from its own OpenAPI schema.

Schemathesis generates requests for every operation in the schema that
``/api/schema/`` serves (valid ones and deliberately invalid ones), sends them
in-process to the WSGI application with a signed-in facilitator's or staff
member's token, and checks that no answer is a server error and that every
documented answer matches the schema. A few incidents, reviews, timeline
entries, findings, action items, playbook sections, tasks and recognitions
exist, and path parameters often name one of them, so detail routes reach real
objects and not only 404s. The seed is fixed (``derandomize``): every run sends
the same requests.

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
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from playbook import services as playbook_services
from recognition import services as recognition_services
from reviews import services as review_services
from reviews.models import ActionKind, EntryKind, OwnershipRole
from tests.factories import MembershipFactory, TeamFactory, UserFactory, make_review

#: Generated requests per operation and role (56 operations × 2 roles), on top of the coverage phase's.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))

APP = WSGIHandler()  # the application, in-process (see in_process below)

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
# The schema's own examples; the coverage phase's boundary values of valid input (every
# operation, deterministic); then MAX_EXAMPLES generated requests, valid and invalid.
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
schema.config.phases.coverage.generation.modes = [GenerationMode.POSITIVE]
schema.config.phases.coverage.unexpected_methods = set()  # a 405 for an undeclared method tells nothing

# Ids of the objects the fixture made, by the path prefix that names them; filled per test.
KNOWN: dict[str, list] = {}


def point_at_known_objects(case):
    """Point most path parameters at an object that exists: the coverage phase's "0" always
    (the first object), two in three generated ones (chosen by the generated value)."""
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

    revision = playbook_services.create_revision(
        staff,
        content={"pattern": "Payment outage", "target_first_update_minutes": 30, "change_authority": "On-call lead"},
        rationale="First version", new_slug="payment-outage", new_owner=staff, submit=True,
    )  # fmt: skip
    section = playbook_services.approve(governance, revision, attest_regulatory=True, attest_blameless=True).section
    draft = playbook_services.create_revision(
        staff, section=section, content=section.current.content() | {"target_first_update_minutes": 20},
        rationale="Customers asked sooner", submit=False,
    )  # fmt: skip
    submitted = playbook_services.create_revision(
        facilitator, section=section, content=section.current.content() | {"change_authority": "Incident lead"},
        rationale="Clearer authority", submit=True,
    )  # fmt: skip
    playbook_services.reconcile_cycle()

    reviews = []
    for n, (team, hours) in enumerate([(payments, 72), (support, 30), (None, 10)]):
        review = make_review(
            facilitator, hours_ago=hours, title=f"Incident {n}", team=team, playbook_section=section,
            narrative="The alert reached the on-call engineer, who paged the payments team.",
        )  # fmt: skip
        incident = review.incident
        start = incident.escalated_at
        review_services.assign_role(
            facilitator, incident, role=OwnershipRole.INVESTIGATION_LEAD, person=staff,
            started_at=start + timedelta(minutes=5),
        )  # fmt: skip
        review_services.add_timeline_entry(
            facilitator, incident, at=start + timedelta(minutes=7), kind=EntryKind.DECISION, who="Payments",
            what="Rolled back the release.",
        )  # fmt: skip
        finding = review_services.add_finding(facilitator, review, text="Nobody owned the customer update.")
        review_services.add_action_item(
            facilitator, review, title="Name a communications owner", owner=staff,
            due_on=timezone.localdate() + timedelta(days=7 * (n + 1)), kind=ActionKind.OWNERSHIP_MAP, finding=finding,
        )  # fmt: skip
        review_services.invite_participant(facilitator, review, staff)
        reviews.append(review)
    review_services.start_review(facilitator, reviews[1])
    review_services.start_review(facilitator, reviews[2])
    review_services.save_scores(staff, reviews[2], dict.fromkeys(range(1, 7), (4, "Roles were clear.")), submit=True)
    review_services.publish(facilitator, reviews[2])

    recognition = recognition_services.give(
        staff, team=support, category="clear_ownership", message="Clear ownership from the first minute."
    )
    recognition_services.give(
        colleague, person=facilitator, category="clean_handover", message="A handover with everything in it."
    )
    recognition_services.second(governance, recognition)

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
            "/api/playbook/revisions/": [revision.pk, draft.pk, submitted.pk],
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
    response = case.call_and_validate(
        app=APP,
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
    if os.environ.get("FUZZ_STATS"):  # a log of what was sent, for counting
        with open(os.environ["FUZZ_STATS"], "a") as f:
            phase = case.meta.phase.name if case.meta else ""
            f.write(f"{case.operation.label}\t{response.status_code}\t{phase}\n")


def test_the_fuzzed_schema_is_the_one_the_api_serves(client, staff):
    client.force_login(staff)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    served = schemathesis.openapi.from_dict(response.json())
    assert sorted(op.ok().label for op in served.get_all_operations()) == sorted(
        op.ok().label for op in schema.get_all_operations()
    )
