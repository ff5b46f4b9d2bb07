"""What a hostile or confused sender, a facilitator's hand edit and events in a strange order must
not do: a 500, a secret on an error page, a value set by hand overwritten, a message twice."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations import apply, services, tasks
from integrations.models import Delivery, DeliveryStatus, Record, SourceKind
from reviews import services as review_services
from tests import vendors
from tests.factories import UserFactory, make_review

pytestmark = pytest.mark.django_db


def receive(client, source, body, headers, content_type="application/json"):
    extra = {
        f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items() if name != "Content-Type"
    }
    return client.post(source.webhook_path(), data=body, content_type=content_type, **extra)


def generic(facilitator):
    return services.source_create(facilitator, kind=SourceKind.GENERIC, name="Ops")


def send(client, source, secret, payload, msg_id):
    body = vendors.encode(payload)
    response = receive(client, source, body, vendors.standard(secret, body, msg_id))
    assert response.status_code == 202, response.content
    delivery = Delivery.objects.get(event_id=msg_id)
    apply.delivery_apply(delivery.pk)
    delivery.refresh_from_db()
    return delivery


NOW = timezone.now().replace(microsecond=0)  # one clock for the whole module: ago(70) is always ago(70)


def ago(minutes):
    return NOW - timedelta(minutes=minutes)


def opened(client, source, secret, record="INC-1", minutes=120):
    send(
        client,
        source,
        secret,
        {
            "type": "incident",
            "record": record,
            "at": ago(minutes).isoformat(),
            "incident": {"title": "Checkout down", "customer": "Globex"},
        },
        f"open-{record}",
    )
    return Record.objects.get(source=source, external_id=record).incident


def test_a_signature_in_any_characters_is_a_401_not_a_500(client, facilitator):
    headers = {
        SourceKind.ZENDESK: {
            "X-Zendesk-Webhook-Signature": "é",
            "X-Zendesk-Webhook-Signature-Timestamp": "2026-12-01T10:00:00Z",
        },
        SourceKind.PAGERDUTY: {"X-PagerDuty-Signature": "v1=é"},
        SourceKind.JIRA: {"X-Hub-Signature": "sha256=é"},
        SourceKind.SLACK: {
            "X-Slack-Signature": "v0=é",
            "X-Slack-Request-Timestamp": str(int(timezone.now().timestamp())),
        },
        SourceKind.GENERIC: {
            "webhook-id": "m",
            "webhook-timestamp": str(int(timezone.now().timestamp())),
            "webhook-signature": "v1,é",
        },
    }
    for kind, sent in headers.items():
        source, _ = services.source_create(facilitator, kind=kind, name=kind, secret="s3cret-value")
        response = receive(client, source, b"{}", sent)
        assert response.status_code == 401, (kind, response.status_code)
        assert b"s3cret-value" not in response.content
    for token in ("%00", "abc%00def", "x" * 40):
        assert client.post(f"/integrations/in/{token}/", data=b"{}", content_type="application/json").status_code == 404
    assert not Delivery.objects.exists()


def test_nul_characters_long_ids_and_odd_slack_bodies_are_stored_and_never_a_500(client, facilitator):
    source, secret = generic(facilitator)
    opened(client, source, secret)
    nul = {
        "type": "timeline",
        "record": "INC-1",
        "at": ago(30).isoformat(),
        "text": "Paged\u0000 on-call",
        "ref": "r" * 300,
    }
    assert send(client, source, secret, nul, "nul").status == DeliveryStatus.APPLIED
    raw = b'{"type": "timeline", "record": "INC-1"\x00}'
    assert receive(client, source, raw, vendors.standard(secret, raw, "raw")).status_code == 202
    raw_delivery = Delivery.objects.latest("id")  # named by its hash: the body is not JSON
    apply.delivery_apply(raw_delivery.pk)
    raw_delivery.refresh_from_db()
    assert raw_delivery.status == DeliveryStatus.FAILED and "\ufffd" in raw_delivery.body

    slack, s_secret = services.source_create(facilitator, kind=SourceKind.SLACK, name="Slack", secret="slack-secret")
    deep = b'{"type":' + b'{"a":' * 100_000 + b"1" + b"}" * 100_001
    assert receive(client, slack, deep, vendors.slack(s_secret, deep)).status_code == 202
    form = b"payload=%7B%22type%22%3A%22block_actions%22%7D"
    answer = receive(
        client,
        slack,
        form,
        vendors.slack(s_secret, form, "application/x-www-form-urlencoded"),
        "application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200 and answer.json()["text"].startswith("Usage:")


def test_a_report_refused_as_impossible_does_not_hold_back_the_next_one(client, facilitator):
    source, secret = generic(facilitator)
    incident = opened(client, source, secret, minutes=60)
    early = send(
        client,
        source,
        secret,
        {"type": "milestone", "record": "INC-1", "at": ago(90).isoformat(), "milestone": "acknowledged"},
        "early",
    )
    assert "cannot be before the escalation" in early.reason
    send(
        client,
        source,
        secret,
        {"type": "milestone", "record": "INC-1", "at": ago(50).isoformat(), "milestone": "acknowledged"},
        "later",
    )
    incident.refresh_from_db()
    assert incident.acknowledged_at == ago(50)


def test_what_a_facilitator_cleared_removed_or_ended_by_hand_stays_so(client, facilitator):
    source, secret = generic(facilitator)
    lead = UserFactory(email="lead@acme.example")
    other = UserFactory(email="other@acme.example")
    incident = opened(client, source, secret)
    send(
        client,
        source,
        secret,
        {"type": "milestone", "record": "INC-1", "at": ago(100).isoformat(), "milestone": "acknowledged"},
        "ack-1",
    )
    incident.refresh_from_db()
    review_services.incident_update(facilitator, incident, version=incident.version, acknowledged_at=None)
    send(
        client,
        source,
        secret,
        {"type": "milestone", "record": "INC-1", "at": ago(95).isoformat(), "milestone": "acknowledged"},
        "ack-2",
    )
    incident.refresh_from_db()
    assert incident.acknowledged_at is None  # cleared by hand: the tool's report is kept beside it

    role = {"type": "role", "record": "INC-1", "role": "lead"}
    send(client, source, secret, role | {"at": ago(90).isoformat(), "person": {"email": lead.email}}, "lead-1")
    review_services.role_remove(facilitator, incident.assignments.get())
    send(client, source, secret, role | {"at": ago(80).isoformat(), "person": {"email": other.email}}, "lead-2")
    assert not incident.assignments.exists()  # removed by hand: not recreated

    second = opened(client, source, secret, record="INC-2")
    role2 = role | {"record": "INC-2"}
    send(client, source, secret, role2 | {"at": ago(90).isoformat(), "person": {"email": lead.email}}, "b-1")
    assignment = second.assignments.get()
    review_services.role_end(facilitator, assignment, ended_at=ago(85))
    # A report from before arrives late: rebuilding would lose the end set by hand.
    send(client, source, secret, role2 | {"at": ago(100).isoformat(), "person": {"email": other.email}}, "b-2")
    assignment.refresh_from_db()
    assert assignment.ended_at == ago(85) and second.assignments.count() == 1


def test_a_message_is_recorded_once_and_edits_settle_in_their_own_order(client, facilitator):
    source, secret = generic(facilitator)
    incident = opened(client, source, secret)
    message = {"type": "timeline", "record": "INC-1", "text": "first words", "ref": "m-1"}
    edit = {"type": "timeline.edited", "record": "INC-1", "ref": "m-1"}
    # The newer edit arrives first, before the message itself; then the message, then an older edit.
    send(client, source, secret, edit | {"at": ago(10).isoformat(), "text": "final words"}, "e-2")
    send(client, source, secret, message | {"at": ago(30).isoformat()}, "m")
    send(client, source, secret, message | {"at": ago(30).isoformat()}, "m-again")  # the same message, resent
    send(client, source, secret, edit | {"at": ago(20).isoformat(), "text": "middle words"}, "e-1")
    assert list(incident.entries.values_list("what", flat=True)) == ["final words"]

    entry = incident.entries.get()
    review_services.timeline_entry_edit(facilitator, entry, at=ago(29))  # the facilitator corrects the time
    send(
        client,
        source,
        secret,
        {"type": "timeline.deleted", "record": "INC-1", "at": ago(5).isoformat(), "ref": "m-1"},
        "d",
    )
    assert incident.entries.filter(pk=entry.pk).exists()


def test_a_captured_jira_request_replayed_with_a_new_delivery_id_is_a_repeat(client, facilitator):
    jira, secret = services.source_create(facilitator, kind=SourceKind.JIRA, name="Jira")
    body = vendors.encode(vendors.fixture("jira/03_comment_created_public"))
    first = receive(client, jira, body, vendors.jira(secret, body, "original"))
    replay = receive(client, jira, body, vendors.jira(secret, body, "forged-new-id"))
    assert (first.status_code, replay.status_code) == (202, 200) and Delivery.objects.count() == 1


def test_changing_where_the_api_token_is_sent_asks_for_the_token_again(facilitator):
    source, _ = services.source_create(
        facilitator,
        kind=SourceKind.PAGERDUTY,
        name="PD",
        secret="s",
        api_token="real-token",
        api_url="https://api.pagerduty.com",
    )
    with pytest.raises(Exception, match="Enter the API token again"):
        services.source_update(facilitator, source, api_url="https://collector.example")
    services.source_update(facilitator, source, api_url="https://api.eu.pagerduty.com", api_token="eu-token")
    source.refresh_from_db()
    assert (source.api_url, source.api_token) == ("https://api.eu.pagerduty.com", "eu-token")


def test_a_record_address_that_is_not_http_is_not_linked(client, facilitator):
    source, secret = generic(facilitator)
    send(
        client,
        source,
        secret,
        {
            "type": "incident",
            "record": "X",
            "at": ago(60).isoformat(),
            "incident": {"title": "t", "customer": "c", "url": "javascript:alert(1)"},
        },
        "js",
    )
    assert Record.objects.get(external_id="X").url == ""


def test_the_review_page_makes_the_same_queries_however_many_records_feed_it(client, facilitator):
    source, _ = generic(facilitator)
    review = make_review(facilitator)
    client.force_login(facilitator)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(review.get_absolute_url()).status_code == 200
        return len(queries.captured_queries)

    services.record_link(facilitator, review.incident, source=source, external_id="R-0")
    one = count()
    for number in range(1, 6):
        services.record_link(
            UserFactory(roles=["facilitators"]), review.incident, source=source, external_id=f"R-{number}"
        )
    assert count() == one


def test_moments_far_from_now_in_a_payload_fail_with_a_reason(client, facilitator):
    source, secret = generic(facilitator)
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
    for number, moment in enumerate(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", 10**20, "2026-13-45", tomorrow]):
        delivery = send(
            client,
            source,
            secret,
            {"type": "incident", "record": f"F{number}", "at": moment, "incident": {"title": "t", "customer": "c"}},
            f"far-{number}",
        )
        assert delivery.status == DeliveryStatus.FAILED and delivery.reason, moment
    assert delivery.reason == "Not applied: This is in the future."  # the last: tomorrow
    assert not Record.objects.exclude(incident=None).exists()


# A second pass: two tools on one escalation, odd text, reports reconsidered, recovery --------------


def second_source(facilitator):
    return services.source_create(facilitator, kind=SourceKind.GENERIC, name="Ops 2")


def test_two_tools_on_one_escalation_keep_their_own_messages_and_share_a_role_history(client, facilitator):
    (a, a_secret), (b, b_secret) = generic(facilitator), second_source(facilitator)
    lead, other = UserFactory(email="lead@acme.example"), UserFactory(email="other@acme.example")
    incident = opened(client, a, a_secret)
    send(
        client,
        a,
        a_secret,
        {"type": "timeline", "record": "INC-1", "at": ago(50).isoformat(), "text": "A says", "ref": "1"},
        "a-m",
    )
    linked = {"record": "B-1", "incident_id": incident.pk}
    send(
        client,
        b,
        b_secret,
        linked | {"type": "timeline", "at": ago(40).isoformat(), "text": "B says", "ref": "1"},
        "b-m",
    )
    send(
        client,
        b,
        b_secret,
        linked | {"type": "timeline.edited", "at": ago(30).isoformat(), "text": "B edited", "ref": "1"},
        "b-e",
    )
    assert sorted(incident.entries.values_list("what", flat=True)) == ["A says", "B edited"]

    role = {"type": "role", "role": "lead"}
    send(
        client,
        a,
        a_secret,
        role | {"record": "INC-1", "at": ago(90).isoformat(), "person": {"email": lead.email}},
        "a-r",
    )
    handed = send(
        client, b, b_secret, role | linked | {"at": ago(60).isoformat(), "person": {"email": other.email}}, "b-r"
    )
    assert handed.reason == ""  # the first tool's assignment is not taken for a hand edit
    assert list(incident.assignments.order_by("started_at").values_list("person__email", flat=True)) == [
        lead.email,
        other.email,
    ]


def test_text_a_database_cannot_hold_is_cleaned_not_a_500(client, facilitator):
    source, secret = generic(facilitator)
    raw = b'{"type": "\\ud800", "record": "X", "at": "2026-01-01T00:00:00Z"}'
    assert receive(client, source, raw, vendors.standard(secret, raw, "sur-1")).status_code == 202
    note = send(
        client,
        source,
        secret,
        {"type": "timeline", "record": "INC-1", "at": ago(100).isoformat(), "text": "bad \ud800 text", "ref": "m"},
        "note-early",
    )
    assert note.status == DeliveryStatus.IGNORED
    incident = opened(client, source, secret)  # applies the waiting note with it
    assert incident.entries.get().what == "bad ? text"


def test_a_report_refused_once_is_tried_again_when_the_milestones_move(client, facilitator):
    source, secret = generic(facilitator)
    incident = opened(client, source, secret, minutes=60)
    milestone = {"type": "milestone", "record": "INC-1"}
    early = send(client, source, secret, milestone | {"at": ago(70).isoformat(), "milestone": "acknowledged"}, "ack")
    assert "cannot be before the escalation" in early.reason
    send(client, source, secret, milestone | {"at": ago(80).isoformat(), "milestone": "escalated"}, "esc")
    incident.refresh_from_db()
    assert (incident.escalated_at, incident.acknowledged_at) == (ago(80), ago(70))

    send(client, source, secret, milestone | {"at": ago(50).isoformat(), "milestone": "resolved"}, "r1")
    late_update = send(
        client, source, secret, milestone | {"at": ago(40).isoformat(), "milestone": "first_customer_update"}, "fu"
    )
    assert "after the resolution" in late_update.reason
    send(client, source, secret, milestone | {"at": ago(30).isoformat(), "milestone": "reopened"}, "re")
    send(client, source, secret, milestone | {"at": ago(10).isoformat(), "milestone": "resolved"}, "r2")
    incident.refresh_from_db()
    assert (incident.resolved_at, incident.first_customer_update_at) == (ago(10), ago(40))


def test_an_empty_edit_waiting_for_its_message_does_not_lose_the_message(client, facilitator):
    source, secret = generic(facilitator)
    incident = opened(client, source, secret)
    edited = {"type": "timeline.edited", "record": "INC-1", "ref": "m", "at": ago(10).isoformat(), "text": ""}
    send(client, source, secret, edited, "e")
    send(
        client,
        source,
        secret,
        {"type": "timeline", "record": "INC-1", "ref": "m", "at": ago(20).isoformat(), "text": "hello"},
        "m",
    )
    assert list(incident.entries.values_list("what", flat=True)) == ["hello"]


def test_a_record_linked_while_the_broker_was_down_is_caught_up_by_the_reconcile(
    client, facilitator, django_capture_on_commit_callbacks
):
    source, secret = generic(facilitator)
    early = send(
        client,
        source,
        secret,
        {"type": "timeline", "record": "R", "at": ago(30).isoformat(), "text": "before", "ref": "x"},
        "early",
    )
    assert early.status == DeliveryStatus.IGNORED
    review = make_review(facilitator)
    with django_capture_on_commit_callbacks(execute=False):  # the replay task never reaches a broker
        services.record_link(facilitator, review.incident, source=source, external_id="R")
    early.refresh_from_db()
    assert early.status == DeliveryStatus.IGNORED
    tasks.apply_waiting()
    early.refresh_from_db()
    assert early.status == DeliveryStatus.APPLIED
    assert list(review.incident.entries.values_list("what", flat=True)) == ["before"]


def test_a_tool_api_that_does_not_answer_leaves_a_name_not_a_failure(client, facilitator):
    slack, secret = services.source_create(
        facilitator,
        kind=SourceKind.SLACK,
        name="Slack",
        secret="slack-secret",
        api_token="xoxb-1",
        api_url="http://127.0.0.1:9",  # nothing listens there
    )
    review = make_review(facilitator)
    Record.objects.create(source=slack, external_id="C1", incident=review.incident)
    at = timezone.now().timestamp() - 60
    body = vendors.encode(
        {
            "type": "event_callback",
            "event_id": "Ev1",
            "event": {"type": "message", "channel": "C1", "user": "U1", "text": "hello", "ts": f"{at:.6f}"},
        }
    )
    assert receive(client, slack, body, vendors.slack(secret, body)).status_code == 202
    delivery = Delivery.objects.get()
    assert apply.delivery_apply(delivery.pk) == DeliveryStatus.APPLIED
    assert review.incident.entries.get().who == "U1"


def test_an_import_cut_short_is_finished_by_running_it_again(tmp_path, facilitator, capsys):
    source, _ = generic(facilitator)
    lines = [
        {"type": "incident", "record": f"I-{n}", "at": ago(60).isoformat(), "incident": {"title": "t", "customer": "c"}}
        for n in range(3)
    ]
    file = tmp_path / "events.jsonl"
    file.write_text("\n".join(json.dumps(line) for line in lines) + "\n" + '{"body": "\\ud800", "event_id": "odd"}\n')
    call_command("import_deliveries", str(file), source=source.name)
    assert "4 stored (0 already there, 0 unreadable lines): 3 applied, 1 failed" in capsys.readouterr().out
    Delivery.objects.filter(record__external_id="I-1").update(status=DeliveryStatus.RECEIVED)  # as if cut short
    call_command("import_deliveries", str(file), source=source.name)
    assert "0 stored (4 already there, 0 unreadable lines): 1 applied" in capsys.readouterr().out
