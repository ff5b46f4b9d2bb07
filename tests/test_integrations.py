"""Integrations in: each tool's documented payloads, signed as the tool signs them, posted to a
live Baton over HTTP, and the incident, milestones, roles, timeline and metrics that result.

The payloads are tests/fixtures/integrations/<tool>/*.json, each citing the vendor page its
shape follows; tests/vendors.py signs them and runs the vendor API Baton calls to look people up.
"""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
import time_machine
from django.core.management import call_command
from django.utils import timezone

from core.models import AuditEvent
from integrations import apply, services, signatures
from integrations.models import Delivery, DeliveryStatus, Fact, Record, Source, SourceKind
from reviews import selectors
from reviews import services as review_services
from reviews.models import EntryKind, Incident, OwnershipRole
from tests import vendors
from tests.factories import TeamFactory, UserFactory

ZENDESK_TICKET = "48213"
PD_INCIDENT = "Q3NWTR8KX2M5VB"
SLACK_CHANNEL = "C08CHK4217"


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def people(db):
    """The responders of the fixtures' story, as Baton accounts (matched by email)."""
    return {
        "priya": UserFactory(username="priya", first_name="Priya", last_name="Raman", email="priya.raman@acme.example"),
        "sam": UserFactory(username="sam", first_name="Sam", last_name="Okafor", email="sam.okafor@acme.example"),
        "mei": UserFactory(username="mei", first_name="Mei", last_name="Chen", email="mei.chen@acme.example"),
        "diego": UserFactory(username="diego", first_name="Diego", last_name="Alvarez", email="diego@acme.example"),
        "marcus": UserFactory(
            username="marcus", first_name="Marcus", last_name="Chen", email="marcus.chen@acme-support.example"
        ),
    }


@pytest.fixture
def vendor_api():
    """The tools' APIs, answering for the same people under the tools' own ids."""
    with vendors.VendorAPI() as api:
        api.directory.people.update(
            {
                "39811200017": ("Priya Raman", "priya.raman@acme.example"),  # Zendesk agents
                "39811200029": ("Sam Okafor", "sam.okafor@acme.example"),
                "PQ7R2MA": ("Priya Raman", "priya.raman@acme.example"),  # PagerDuty users
                "PMC4H3N": ("Mei Chen", "mei.chen@acme.example"),
                "PDG0A7L": ("Diego Alvarez", "diego@acme.example"),
                "U0123ABCD": ("Diego Alvarez", "diego@acme.example"),  # Slack members
                "U05PRY7QX": ("Priya Raman", "priya.raman@acme.example"),
            }
        )
        api.directory.organizations["36012459871"] = "Northwind Traders"
        yield api


def connect(facilitator, kind, vendor_api=None, **values):
    secret = {SourceKind.ZENDESK: "zendesk-signing-secret", SourceKind.PAGERDUTY: "pd-signing-secret"}.get(kind, "")
    secret = {SourceKind.SLACK: "slack-signing-secret"}.get(kind, secret)
    if vendor_api is not None:
        values |= {"api_url": vendor_api.url, "api_token": vendor_api.directory.token}
    source, secret = services.source_create(facilitator, kind=kind, name=f"{kind} source", secret=secret, **values)
    return source, secret


def post(live_server, source, body, headers):
    return requests.post(live_server.url + source.webhook_path(), data=body, headers=headers, timeout=10)


def apply_waiting():
    """What the worker does for each delivery (the task's own function, in this process)."""
    for delivery_id in (
        Delivery.objects.filter(status=DeliveryStatus.RECEIVED).order_by("id").values_list("id", flat=True)
    ):
        apply.delivery_apply(delivery_id)


def send_zendesk(live_server, source, secret, name):
    body = vendors.encode(vendors.fixture(f"zendesk/{name}"))
    headers = vendors.zendesk(secret, body)
    if name.startswith("07"):
        headers["X-Zendesk-Webhook-Invocation-Id"] = "invocation-07"
    return post(live_server, source, body, headers)


def send_pagerduty(live_server, source, secret, name):
    body = vendors.encode(vendors.fixture(f"pagerduty/{name}"))
    return post(live_server, source, body, vendors.pagerduty(secret, body))


def incident_for(source, external_id):
    return Record.objects.select_related("incident").get(source=source, external_id=external_id).incident


def history(incident, role):
    return [
        (a.person.username, a.started_at, a.ended_at)
        for a in incident.assignments.filter(role=role).select_related("person").order_by("started_at")
    ]


# The vendors' own test vectors -----------------------------------------------------


def test_signature_checks_accept_the_vendors_published_vectors_and_refuse_a_changed_byte():
    pd = json.loads((vendors.FIXTURES / "pagerduty/signature_vector.json").read_text())
    body = pd["body"].encode()
    signatures.pagerduty([pd["secret"]], {"X-PagerDuty-Signature": pd["valid_header"]}, body, 0)
    signatures.pagerduty([pd["secret"]], {"X-PagerDuty-Signature": pd["rotation_header_derived"]}, body, 0)
    with pytest.raises(signatures.Unverified):
        signatures.pagerduty([pd["secret"]], {"X-PagerDuty-Signature": pd["mismatching_header"]}, body, 0)

    sl = json.loads((vendors.FIXTURES / "slack/signature_vector.json").read_text())
    signatures.slack([sl["signing_secret"]], sl["headers"], sl["body"].encode(), sl["now"])
    with pytest.raises(signatures.Unverified):
        signatures.slack([sl["signing_secret"]], sl["headers"], sl["body"].encode() + b"x", sl["now"])
    with pytest.raises(signatures.Unverified, match="five minutes"):
        signatures.slack([sl["signing_secret"]], sl["headers"], sl["body"].encode(), sl["now"] + 301)

    ji = json.loads((vendors.FIXTURES / "jira/signature_vector.json").read_text())
    vector = ji["vendor_vector"]
    signatures.jira([vector["secret"]], {"X-Hub-Signature": vector["expected_header"]}, vector["body"].encode(), 0)
    with pytest.raises(signatures.Unverified):
        signatures.jira([vector["secret"]], {"X-Hub-Signature": vector["expected_header"]}, b"Hello World?", 0)

    sw = json.loads((vendors.FIXTURES / "generic/standardwebhooks_vector.json").read_text())
    headers = {"webhook-id": sw["msg_id"], "webhook-timestamp": str(sw["timestamp"])}
    with time_machine.travel(datetime.fromtimestamp(sw["now"], UTC), tick=False):
        for signature in (sw["expected_signature"], sw["multi_signature_header_derived"]):
            signatures.generic([sw["secret"]], headers | {"webhook-signature": signature}, sw["payload"].encode(), 0)
        with pytest.raises(signatures.Unverified):
            bad = headers | {"webhook-signature": sw["invalid_signature_from_tests"]}
            signatures.generic([sw["secret"]], bad, sw["payload"].encode(), 0)


# Zendesk ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_zendesk_ticket_arrives_as_an_escalation_with_its_milestones_roles_timeline_and_metrics(
    live_server, facilitator, people, vendor_api
):
    team = TeamFactory(slug="payments", name="Payments")
    source, secret = connect(
        facilitator,
        SourceKind.ZENDESK,
        vendor_api,
        rule_tags="escalated",
        base_url="https://acme.zendesk.com",
        team_map={"36010002233": "payments"},
    )
    for name in vendors.story("zendesk"):
        response = send_zendesk(live_server, source, secret, name)
        assert response.status_code == 202, (name, response.text)
        assert response.json()["status"] == "received"
    apply_waiting()

    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.APPLIED}
    incident = incident_for(source, ZENDESK_TICKET)
    assert incident.title == "Checkout API returning 502 for all Northwind storefronts"
    assert incident.customer == "Northwind Traders"  # the organization, looked up through the Zendesk API
    assert incident.severity == "sev1"  # priority urgent
    assert incident.team == team  # the ticket's group, mapped
    assert incident.escalated_at == at("2026-11-02T09:00:00.418265")  # the rule first matched at creation
    assert incident.first_customer_update_at == at("2026-11-02T09:20:00.512904")  # the first public agent comment
    assert incident.resolved_at == at("2026-11-03T16:45:00.129558")  # solved
    assert incident.satisfaction == 4  # "Good" from the trigger's webhook
    assert incident.acknowledged_at is None  # Zendesk does not say: the paging tool does
    # The first assignee is the customer's single point of contact, the second takes it over.
    assert history(incident, OwnershipRole.CUSTOMER_CONTACT) == [
        ("priya", at("2026-11-02T09:12:00.031775"), at("2026-11-02T13:30:00.664120")),
        ("sam", at("2026-11-02T13:30:00.664120"), None),
    ]
    entries = list(incident.entries.order_by("at").values_list("kind", "who"))
    assert entries == [
        (EntryKind.CUSTOMER_UPDATE, "Priya Raman"),
        (EntryKind.INTERNAL_UPDATE, "Priya Raman"),
        (EntryKind.NOTE, "Customer"),
    ]
    metrics = {m.key: m.value for m in selectors.metrics_for(incident)}
    assert metrics["time_to_first_update"] == timedelta(minutes=20, seconds=0.094639)
    assert metrics["satisfaction"] == 4
    # Every change went through the review services: the audit trail names the source's account.
    actions = set(AuditEvent.objects.filter(actor=source.actor).values_list("action", flat=True))
    assert {"review.created", "incident.edited", "incident.role_assigned", "timeline.added"} <= actions
    # People were looked up once each through the tool's API, with the source's token.
    lookups = [path for path, auth in vendor_api.directory.calls if "/users/" in path]
    assert sorted(lookups) == ["/api/v2/users/39811200017", "/api/v2/users/39811200029"]
    assert all(auth == "Bearer test-api-token" for _, auth in vendor_api.directory.calls)
