"""Integrations in: each tool's documented payloads, signed as the tool signs them, posted to a
live Baton over HTTP, and the incident, milestones, roles, timeline and metrics that result.

The payloads are tests/fixtures/integrations/<tool>/*.json, each citing the vendor page its
shape follows; tests/vendors.py signs them and runs the vendor API Baton calls to look people up.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
import time_machine
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.models import AuditEvent
from core.roles import FACILITATORS
from integrations import apply, services, signatures
from integrations.models import Delivery, DeliveryStatus, Fact, Record, SourceKind
from reviews import selectors
from reviews import services as review_services
from reviews.models import EntryKind, Incident, OwnershipRole, RoleAssignment, TimelineEntry
from tests import vendors
from tests.factories import TeamFactory

ZENDESK_TICKET = "48213"
PD_INCIDENT = "Q3NWTR8KX2M5VB"
SLACK_CHANNEL = "C08CHK4217"


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


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
    live_server, facilitator, responders, vendor_api
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


# PagerDuty, and one escalation fed by two tools ---------------------------------------


@pytest.fixture
def zendesk_escalation(live_server, facilitator, responders, vendor_api):
    source, secret = connect(facilitator, SourceKind.ZENDESK, vendor_api, rule_tags="escalated")
    for name in vendors.story("zendesk"):
        assert send_zendesk(live_server, source, secret, name).status_code == 202
    apply_waiting()
    return incident_for(source, ZENDESK_TICKET)


@pytest.mark.django_db(transaction=True)
def test_the_pagerduty_incident_behind_a_ticket_feeds_the_same_escalation_once_linked(
    live_server, facilitator, zendesk_escalation, vendor_api
):
    incident = zendesk_escalation
    pd, secret = connect(facilitator, SourceKind.PAGERDUTY, vendor_api, rule_priorities="P1")
    # The first events arrive before anyone links the PagerDuty incident: as a P1 it would open an
    # escalation of its own, so the facilitator links it first; events sent before then wait.
    services.record_link(facilitator, incident, source=pd, external_id=PD_INCIDENT)
    for name in vendors.story("pagerduty"):
        response = send_pagerduty(live_server, pd, secret, name)
        assert response.status_code == 202, (name, response.text)
    apply_waiting()

    assert set(pd.deliveries.values_list("status", flat=True)) == {DeliveryStatus.APPLIED}
    incident.refresh_from_db()
    assert Incident.objects.count() == 1
    assert incident.acknowledged_at == at("2026-11-02T09:12:44.108")
    # Acknowledging makes the acknowledger investigation lead; reassigning and escalating hand it over.
    assert history(incident, OwnershipRole.INVESTIGATION_LEAD) == [
        ("priya", at("2026-11-02T09:12:44.108"), at("2026-11-02T09:20:03.771")),
        ("mei", at("2026-11-02T09:20:03.771"), at("2026-11-02T12:28:09.300")),
        ("diego", at("2026-11-02T12:28:09.300"), None),
    ]
    # PagerDuty's resolution is the technical one, on the timeline; the customer's stays Zendesk's.
    assert incident.resolved_at == at("2026-11-03T16:45:00.129558")
    kinds = dict(incident.entries.values_list("what", "kind"))
    assert kinds["Resolved in PagerDuty (technical resolution)."] == EntryKind.RESOLUTION
    assert kinds["Paged: Checkout API: 5xx rate above 5% for Northwind Traders"] == EntryKind.DETECTION
    assert EntryKind.INTERNAL_UPDATE in kinds.values()  # the status update
    metrics = {m.key: m.value for m in selectors.metrics_for(incident)}
    assert metrics["time_to_ownership"] is None  # nobody was ever decision owner
    # Three PagerDuty people looked up by id, once each.
    assert sorted(p for p, _ in vendor_api.directory.calls if p.startswith("/users/")) == [
        "/users/PDG0A7L",
        "/users/PMC4H3N",
        "/users/PQ7R2MA",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_repeat_is_applied_once_and_events_out_of_order_settle_as_in_order(
    live_server, facilitator, responders, vendor_api
):
    pd, secret = connect(facilitator, SourceKind.PAGERDUTY, vendor_api, rule_priorities="P1")
    names = vendors.story("pagerduty")
    for name in reversed(names):  # the newest first
        assert send_pagerduty(live_server, pd, secret, name).status_code == 202
    repeat = send_pagerduty(live_server, pd, secret, names[1])
    assert repeat.status_code == 200 and repeat.json()["status"] == "duplicate"
    assert pd.deliveries.count() == len(names)
    apply_waiting()
    apply_waiting()  # a late second run finds nothing to do

    incident = incident_for(pd, PD_INCIDENT)
    # Opened by the first delivery applied (the escalation), dated when PagerDuty opened the incident.
    assert incident.escalated_at == at("2026-11-02T09:05:00")
    assert incident.acknowledged_at == at("2026-11-02T09:12:44.108")
    assert history(incident, OwnershipRole.INVESTIGATION_LEAD) == [
        ("priya", at("2026-11-02T09:12:44.108"), at("2026-11-02T09:20:03.771")),
        ("mei", at("2026-11-02T09:20:03.771"), at("2026-11-02T12:28:09.300")),
        ("diego", at("2026-11-02T12:28:09.300"), None),
    ]
    assert incident.entries.filter(kind=EntryKind.INTERNAL_UPDATE).count() == 1
    assert Fact.objects.filter(incident=incident, field="acknowledged_at").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_ticket_whose_events_arrive_newest_first_ends_as_if_they_came_in_order(
    live_server, facilitator, responders, vendor_api
):
    source, secret = connect(facilitator, SourceKind.ZENDESK, vendor_api, rule_tags="escalated")
    for name in reversed(vendors.story("zendesk")):
        assert send_zendesk(live_server, source, secret, name).status_code == 202
    for delivery in Delivery.objects.order_by("-id"):  # the newest first: the ticket's creation comes last
        apply.delivery_apply(delivery.pk)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.APPLIED}
    incident = incident_for(source, ZENDESK_TICKET)
    assert incident.escalated_at == at("2026-11-02T09:00:00.418265")  # moved back when the creation arrived
    assert incident.first_customer_update_at == at("2026-11-02T09:20:00.512904")
    assert incident.resolved_at == at("2026-11-03T16:45:00.129558") and incident.satisfaction == 4
    assert history(incident, OwnershipRole.CUSTOMER_CONTACT) == [
        ("priya", at("2026-11-02T09:12:00.031775"), at("2026-11-02T13:30:00.664120")),
        ("sam", at("2026-11-02T13:30:00.664120"), None),
    ]
    assert incident.entries.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_fact_set_by_hand_wins_and_the_tools_report_is_shown_beside_it(
    live_server, client, facilitator, responders, vendor_api
):
    pd, secret = connect(facilitator, SourceKind.PAGERDUTY, vendor_api, rule_priorities="P1")
    send_pagerduty(live_server, pd, secret, "01_incident_triggered")
    apply_waiting()
    incident = incident_for(pd, PD_INCIDENT)
    typed = at("2026-11-02T09:10:00")
    review_services.incident_update(facilitator, incident, version=incident.version, acknowledged_at=typed)
    review_services.role_assign(
        facilitator, incident, role=OwnershipRole.INVESTIGATION_LEAD, person=responders["sam"], started_at=typed
    )
    for name in ("02_incident_acknowledged", "03_incident_reassigned"):
        send_pagerduty(live_server, pd, secret, name)
    apply_waiting()

    incident.refresh_from_db()
    assert incident.acknowledged_at == typed
    assert history(incident, OwnershipRole.INVESTIGATION_LEAD) == [("sam", typed, None)]
    kept = Fact.objects.filter(incident=incident, applied=False).exclude(note="")
    assert sorted(kept.values_list("field", flat=True)) == [
        "acknowledged_at",
        "role:investigation_lead",
        "role:investigation_lead",
    ]

    client.force_login(facilitator)
    page = client.get(incident.review.get_absolute_url()).content.decode()
    assert "pagerduty source says" in page.lower()
    assert "Kept beside the value a facilitator set by hand." in page
    assert "Kept beside the role history a facilitator recorded by hand." in page
    # The escalation itself still says where it came from.
    assert 'href="https://acme.pagerduty.com/incidents/Q3NWTR8KX2M5VB"' in page


# Slack ----------------------------------------------------------------------------


def send_slack(live_server, source, secret, name, **changes):
    data = json.loads((vendors.FIXTURES / f"slack/{name}.json").read_text())
    if "form" in data:
        body = vendors.form(data["form"] | changes)
        return post(live_server, source, body, vendors.slack(secret, body, "application/x-www-form-urlencoded"))
    body = vendors.encode(data["payload"])
    return post(live_server, source, body, vendors.slack(secret, body))


@pytest.mark.django_db(transaction=True)
def test_slack_links_a_channel_records_roles_taken_live_and_follows_messages_edits_and_deletions(
    live_server, facilitator, zendesk_escalation, vendor_api, responders
):
    incident = zendesk_escalation
    slack, secret = connect(facilitator, SourceKind.SLACK, vendor_api)
    challenge = send_slack(live_server, slack, secret, "01_url_verification")
    assert challenge.status_code == 200
    assert challenge.json() == {"challenge": vendors.fixture("slack/01_url_verification")["challenge"]}
    assert not slack.deliveries.exists()  # the handshake is answered, not stored

    # A message before the channel is linked waits; linking the channel applies it.
    assert send_slack(live_server, slack, secret, "04_message").status_code == 202
    apply_waiting()
    assert slack.deliveries.get().status == DeliveryStatus.IGNORED

    # Linking is a facilitator's: Priya (who typed it, found by her Slack email) is one only from now.
    refused = send_slack(live_server, slack, secret, "02_slash_link", text=f"link {incident.pk}", trigger_id="t-1")
    assert refused.json()["text"] == "Not recorded: Only a Baton facilitator links a channel to an escalation."
    responders["priya"].groups.add(Group.objects.get(name=FACILITATORS))
    reply = send_slack(live_server, slack, secret, "02_slash_link", text=f"link {incident.pk}")
    assert reply.status_code == 200
    assert reply.json() == {
        "response_type": "ephemeral",
        "text": f"This channel now feeds Baton incident {incident.pk}.",
    }
    assert Record.objects.get(source=slack, external_id=SLACK_CHANNEL).incident == incident
    message = incident.entries.get(facts__ref=f"{slack.pk}:ts:1793612830.002300")
    assert message.who == "Diego Alvarez"  # Slack's user id, looked up with users.info, matched by email
    assert message.kind == EntryKind.INTERNAL_UPDATE

    # "/baton own comms @diego" records the role taken at the moment of the command.
    before = timezone.now().replace(microsecond=0)
    reply = send_slack(live_server, slack, secret, "03_slash_own")
    assert reply.json()["text"] == "Recorded: diego took the communications owner role."
    [(holder, started, ended)] = history(incident, OwnershipRole.COMMUNICATIONS_OWNER)
    assert holder == "diego" and ended is None and before <= started <= timezone.now()

    send_slack(live_server, slack, secret, "05_message_changed")
    apply_waiting()
    message.refresh_from_db()
    assert message.what.startswith("Customer update sent to Northwind: checkout error rate back < 0.1%")
    send_slack(live_server, slack, secret, "06_message_deleted")
    apply_waiting()
    assert not incident.entries.filter(pk=message.pk).exists()
    refusals = slack.deliveries.exclude(status=DeliveryStatus.APPLIED)
    assert list(refusals.values_list("reason", flat=True)) == [
        "Only a Baton facilitator links a channel to an escalation."
    ]

    help_reply = send_slack(live_server, slack, secret, "03_slash_own", text="dance", trigger_id="8123457.2")
    assert help_reply.json()["text"].startswith("Usage: `/baton link")


# Jira Service Management ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_jira_service_management_issue_arrives_with_its_assignee_comments_and_resolution(
    live_server, facilitator, responders
):
    jira, secret = connect(facilitator, SourceKind.JIRA, rule_tags="escalated")
    assert secret and jira.secret == secret  # Jira takes the secret Baton makes
    for number, name in enumerate(vendors.story("jira")):
        body = vendors.encode(vendors.fixture(f"jira/{name}"))
        response = post(live_server, jira, body, vendors.jira(secret, body, f"jira-delivery-{number}"))
        assert response.status_code == 202, response.text
    apply_waiting()

    assert set(jira.deliveries.values_list("status", flat=True)) == {DeliveryStatus.APPLIED}
    incident = incident_for(jira, "SUP-1042")
    assert incident.severity == "sev1"  # priority Highest
    assert incident.escalated_at == at("2026-11-02T09:30:00")
    assert history(incident, OwnershipRole.CUSTOMER_CONTACT) == [("marcus", at("2026-11-02T09:45:00"), None)]
    assert incident.first_customer_update_at is not None  # the public (jsdPublic) comment
    kinds = sorted(incident.entries.values_list("kind", flat=True))
    assert kinds == [EntryKind.CUSTOMER_UPDATE, EntryKind.INTERNAL_UPDATE]
    assert incident.resolved_at == at("2026-11-03T15:30:00")  # moved to Done
    assert (
        Record.objects.get(source=jira, external_id="SUP-1042").url
        == "https://acme-support.atlassian.net/browse/SUP-1042"
    )


# Any other tool: Baton's JSON, Standard Webhooks ---------------------------------------


def send_generic(live_server, source, secret, payload, msg_id):
    body = vendors.encode(payload)
    return post(live_server, source, body, vendors.standard(secret, body, msg_id))


@pytest.mark.django_db(transaction=True)
def test_any_other_tool_sends_baton_json_and_an_unknown_person_stays_a_name(live_server, facilitator, responders):
    generic, secret = connect(facilitator, SourceKind.GENERIC)
    TeamFactory(slug="billing", name="Billing")
    assert secret.startswith("whsec_")
    events = [
        {
            "type": "incident",
            "record": "INC-7",
            "at": "2026-11-05T08:00:00Z",
            "incident": {
                "title": "Invoices not sent",
                "customer": "Globex",
                "severity": "sev2",
                "url": "https://ops.example/INC-7",
                "team": "billing",
            },
        },
        {
            "type": "role",
            "record": "INC-7",
            "at": "2026-11-05T08:04:00Z",
            "role": "lead",
            "person": {"email": "Priya.Raman@acme.example", "name": "Priya"},
        },
        {
            "type": "role",
            "record": "INC-7",
            "at": "2026-11-05T08:06:00Z",
            "role": "comms",
            "person": {"email": "contractor@elsewhere.example", "name": "Robin Contractor"},
        },
        {"type": "milestone", "record": "INC-7", "at": "2026-11-05T08:05:00Z", "milestone": "acknowledged"},
        {
            "type": "timeline",
            "record": "INC-7",
            "at": "2026-11-05T08:10:00Z",
            "kind": "customer_update",
            "text": "We are on it.",
            "who": "Priya",
            "ref": "m-1",
        },
        {"type": "milestone", "record": "INC-7", "at": "2026-11-05T08:10:00Z", "milestone": "first_customer_update"},
        {"type": "satisfaction", "record": "INC-7", "at": "2026-11-06T08:00:00Z", "score": 5},
        {"type": "satisfaction", "record": "INC-7", "at": "2026-11-05T09:00:00Z", "score": "five"},
    ]
    for number, payload in enumerate(events):
        assert send_generic(live_server, generic, secret, payload, f"msg_{number}").status_code == 202
    apply_waiting()

    incident = incident_for(generic, "INC-7")
    assert (incident.title, incident.customer, incident.severity) == ("Invoices not sent", "Globex", "sev2")
    assert incident.team.slug == "billing"  # the generic JSON names a team by its slug
    assert incident.acknowledged_at == at("2026-11-05T08:05:00")
    assert incident.satisfaction == 5
    assert history(incident, OwnershipRole.INVESTIGATION_LEAD) == [("priya", at("2026-11-05T08:04:00"), None)]
    assert not incident.assignments.filter(role=OwnershipRole.COMMUNICATIONS_OWNER).exists()
    name_only = incident.entries.get(kind=EntryKind.ROLE_CHANGE)
    assert name_only.who == "Robin Contractor" and "not a Baton user" in name_only.what
    assert not type(responders["priya"]).objects.filter(email="contractor@elsewhere.example").exists()
    failed = generic.deliveries.get(status=DeliveryStatus.FAILED)
    assert failed.reason == "“score” must be a whole number from 1 to 5."


# What is refused, and stored as failed ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_unsigned_stale_unknown_and_oversized_requests_are_refused_and_store_nothing(
    live_server, facilitator, settings
):
    zendesk, z_secret = connect(facilitator, SourceKind.ZENDESK)
    slack, s_secret = connect(facilitator, SourceKind.SLACK)
    generic, g_secret = connect(facilitator, SourceKind.GENERIC)
    pd, p_secret = connect(facilitator, SourceKind.PAGERDUTY)
    jira, _ = connect(facilitator, SourceKind.JIRA)
    body = vendors.encode(vendors.fixture("zendesk/01_ticket_created"))
    old = datetime.now(UTC) - timedelta(minutes=6)
    refused = {
        "no signature": post(live_server, zendesk, body, {"Content-Type": "application/json"}),
        "wrong secret": post(live_server, zendesk, body, vendors.zendesk("not-the-secret", body)),
        "changed body": post(live_server, zendesk, body + b" ", vendors.zendesk(z_secret, body)),
        "stale zendesk": post(live_server, zendesk, body, vendors.zendesk(z_secret, body, at=old)),
        "stale slack": post(live_server, slack, body, vendors.slack(s_secret, body, at=old.timestamp())),
        "stale standard": post(live_server, generic, body, vendors.standard(g_secret, body, "m1", at=old.timestamp())),
        "pagerduty wrong": post(live_server, pd, body, vendors.pagerduty("nope", body)),
        "jira wrong": post(live_server, jira, body, vendors.jira("nope", body)),
        "garbage signature": post(
            live_server, generic, body, vendors.standard(g_secret, body, "m1") | {"webhook-signature": "v1"}
        ),
    }
    for case, response in refused.items():
        assert response.status_code == 401, case
        assert "secret" not in response.text.lower() or "signature" in response.text.lower(), case
    assert not Delivery.objects.exists()

    unknown = requests.post(
        f"{live_server.url}/integrations/in/no-such-source/", data=body, headers=vendors.zendesk(z_secret, body)
    )
    assert unknown.status_code == 404 and unknown.json() == {"detail": "No source answers at this address."}
    assert requests.get(live_server.url + zendesk.webhook_path(), timeout=10).status_code == 405
    huge = b'{"x": "' + b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'
    too_big = post(live_server, zendesk, huge, vendors.zendesk(z_secret, huge))
    assert too_big.status_code == 413 and "detail" in too_big.json()
    assert not Delivery.objects.exists()

    # Signed but not JSON, or JSON of the wrong shape: stored, and failed with the reason.
    for number, bad in enumerate([b"{not json", b"[1, 2]", b'{"type": "zen:event-type:ticket.created", "detail": 7}']):
        assert post(live_server, zendesk, bad, vendors.zendesk(z_secret, bad)).status_code == 202
    deep = b'{"a":' * 200_000 + b"1" + b"}" * 200_000
    assert post(live_server, pd, deep, vendors.pagerduty(p_secret, deep)).status_code == 202
    apply_waiting()
    reasons = sorted(Delivery.objects.values_list("status", "reason"))
    assert reasons == [
        (DeliveryStatus.FAILED, "The JSON is nested too deeply."),
        (DeliveryStatus.FAILED, "The body is JSON but not an object."),
        (
            DeliveryStatus.FAILED,
            "The body is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1).",
        ),
        (DeliveryStatus.FAILED, "“detail” should be an object."),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_rotated_secret_and_the_old_one_both_verify_during_the_overlap_only(live_server, facilitator):
    jira, old = connect(facilitator, SourceKind.JIRA)
    new = services.source_rotate_secret(facilitator, jira, overlap_hours=1)
    jira.refresh_from_db()

    def signed_with(secret, number):
        body = vendors.encode(vendors.fixture("jira/01_issue_created") | {"timestamp": 1793611800000 + number})
        return post(live_server, jira, body, vendors.jira(secret, body)).status_code

    assert signed_with(old, 1) == 202
    assert signed_with(new, 2) == 202
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        assert signed_with(old, 3) == 401
        assert signed_with(new, 4) == 202
    assert AuditEvent.objects.filter(action="integration.secret_rotated").count() == 1


@pytest.mark.django_db(transaction=True)
def test_import_deliveries_back_fills_through_the_same_code_and_skips_what_is_already_there(
    tmp_path, facilitator, responders, vendor_api, capsys
):
    source, _ = connect(facilitator, SourceKind.ZENDESK, vendor_api, rule_tags="escalated")
    lines = [json.dumps(vendors.fixture(f"zendesk/{name}")) for name in vendors.story("zendesk")[:6]]
    exported = {"body": json.dumps(vendors.fixture("zendesk/07_satisfaction_trigger_webhook")), "event_id": "inv-7"}
    file = tmp_path / "events.jsonl"
    file.write_text("\n".join([*lines, json.dumps(exported), "not json", ""]) + "\n")

    call_command("import_deliveries", str(file), source=source.name)
    assert "7 stored (0 already there, 1 unreadable lines): 7 applied" in capsys.readouterr().out
    incident = incident_for(source, ZENDESK_TICKET)
    assert incident.satisfaction == 4 and incident.resolved_at == at("2026-11-03T16:45:00.129558")
    assert set(source.deliveries.values_list("imported", flat=True)) == {True}

    call_command("import_deliveries", str(file), source=source.name)
    assert "0 stored (7 already there" in capsys.readouterr().out
    assert incident.entries.count() == 3


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="processes sharing a database are tested on PostgreSQL (make test)"
)
@pytest.mark.django_db(transaction=True)
def test_import_deliveries_in_several_processes_applies_each_event_once(tmp_path, facilitator, responders, capsys):
    source, _ = connect(facilitator, SourceKind.GENERIC)
    lines = []
    for record in range(20):
        start = datetime(2026, 10, 1, 9, tzinfo=UTC) + timedelta(hours=record)
        lines.append(
            {
                "type": "incident",
                "record": f"R{record}",
                "at": start.isoformat(),
                "incident": {"title": f"Escalation {record}", "customer": "Globex"},
            }
        )
        lines.append(
            {
                "type": "role",
                "record": f"R{record}",
                "at": (start + timedelta(minutes=3)).isoformat(),
                "role": "lead",
                "person": {"email": "priya.raman@acme.example"},
            }
        )
        lines.extend(
            {
                "type": "timeline",
                "record": f"R{record}",
                "at": (start + timedelta(minutes=5 + n)).isoformat(),
                "text": f"Update {n}",
                "ref": f"R{record}-{n}",
            }
            for n in range(18)
        )
    file = tmp_path / "events.jsonl"
    file.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    call_command("import_deliveries", str(file), source=source.name, processes=2)
    assert "400 stored (0 already there, 0 unreadable lines): 400 applied" in capsys.readouterr().out
    assert Record.objects.filter(source=source).exclude(incident=None).count() == 20
    assert Incident.objects.count() == 20
    assert TimelineEntry.objects.count() == 360
    assert RoleAssignment.objects.count() == 20
