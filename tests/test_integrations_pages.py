"""The integrations pages: who sees them, a secret shown once and never again, deliveries with
their status and reasons, a retry, linking a record from the review page, and constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations import apply, services
from integrations.models import Delivery, DeliveryStatus, Record, Source, SourceKind
from tests import vendors
from tests.factories import TeamFactory, make_review


@pytest.fixture
def jira(facilitator):
    source, secret = services.source_create(
        facilitator, kind=SourceKind.JIRA, name="Jira (support)", rule_tags="escalated"
    )
    return source, secret


def store(source, payload, event_id):
    delivery, _ = services.delivery_receive(
        source,
        headers={"Content-Type": "application/json", "X-Atlassian-Webhook-Identifier": event_id},
        body=vendors.encode(payload),
        content_type="application/json",
    )
    return delivery


@pytest.mark.django_db
def test_only_facilitators_and_admins_see_integrations(client, staff, governance, facilitator, admin):
    url = reverse("integrations:index")
    for user, status in ((staff, 403), (governance, 403), (facilitator, 200), (admin, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
        assert (b">Integrations</a>" in client.get(reverse("home")).content) is (status == 200)
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


@pytest.mark.django_db
def test_connecting_a_tool_shows_its_secret_once_and_never_again(client, facilitator, admin):
    TeamFactory(slug="payments")
    client.force_login(facilitator)
    missing = client.post(reverse("integrations:source-create"), {"kind": "zendesk", "name": "Zendesk"})
    assert missing.status_code == 400
    assert "Paste the signing secret Zendesk shows for this webhook." in missing.content.decode()
    bad_map = client.post(
        reverse("integrations:source-create"), {"kind": "jira", "name": "Jira", "team_map": "SUP payments"}
    )
    assert "Line 1: write it as" in bad_map.content.decode()
    unknown_team = client.post(
        reverse("integrations:source-create"), {"kind": "jira", "name": "Jira", "team_map": "SUP = nowhere"}
    )
    assert "No team has the slug nowhere." in unknown_team.content.decode()

    created = client.post(
        reverse("integrations:source-create"),
        {
            "kind": "jira",
            "name": "Jira",
            "rule_tags": "escalated",
            "team_map": "SUP = payments",
            "api_token": "tok-123",
        },
    )
    source = Source.objects.get(name="Jira")
    assert created.status_code == 302 and created["Location"] == source.get_absolute_url()
    assert source.team_map == {"SUP": "payments"}
    first = client.get(source.get_absolute_url())
    assert source.secret in first.content.decode() and "no-store" in first["Cache-Control"]
    assert source.webhook_path() in first.content.decode()
    again = client.get(source.get_absolute_url()).content.decode()
    assert source.secret not in again and "tok-123" not in again

    client.force_login(admin)
    admin_view = client.get(reverse("admin:integrations_source_change", args=[source.pk]))
    assert admin_view.status_code == 200 and source.name in admin_view.content.decode()
    assert source.secret not in admin_view.content.decode() and "tok-123" not in admin_view.content.decode()
    read_only = {"name": "Renamed in the admin", "kind": "jira"}
    assert client.post(reverse("admin:integrations_source_change", args=[source.pk]), read_only).status_code == 403
    rotated = client.post(
        reverse("integrations:source-rotate", args=[source.pk]), {"secret": "", "overlap_hours": "24"}
    )
    source.refresh_from_db()
    shown = client.get(rotated["Location"]).content.decode()
    assert source.secret in shown and source.previous_secret not in shown


@pytest.mark.django_db
def test_a_failed_delivery_shows_its_reason_and_is_applied_again_after_a_fix(client, facilitator, jira):
    source, _ = jira
    payload = vendors.fixture("jira/01_issue_created")
    broken = store(source, {**payload, "timestamp": "yesterday"}, "d-1")
    apply.delivery_apply(broken.pk)
    broken.refresh_from_db()
    assert broken.status == DeliveryStatus.FAILED and broken.reason == "The timestamp “yesterday” is not a timestamp."

    client.force_login(facilitator)
    listing = client.get(reverse("integrations:index") + "?status=failed").content.decode()
    assert "The timestamp “yesterday” is not a timestamp." in listing
    detail = client.get(broken.get_absolute_url()).content.decode()
    assert "Apply again" in detail and "X-Hub-Signature" not in detail
    # The tool's payload cannot be changed in Baton, but the rule can: an ignored one is retried.
    ignored = store(
        source,
        {**payload, "issue": {**payload["issue"], "fields": {**payload["issue"]["fields"], "labels": []}}},
        "d-2",
    )
    apply.delivery_apply(ignored.pk)
    assert Delivery.objects.get(pk=ignored.pk).status == DeliveryStatus.IGNORED
    services.source_update(facilitator, source, rule_tags="", rule_priorities="highest")
    response = client.post(reverse("integrations:delivery-retry", args=[ignored.pk]))
    assert response.status_code == 302
    assert Delivery.objects.get(pk=ignored.pk).status == DeliveryStatus.RECEIVED
    assert apply.delivery_apply(ignored.pk) == DeliveryStatus.APPLIED
    assert client.post(reverse("integrations:delivery-retry", args=[ignored.pk])).status_code == 302
    assert Delivery.objects.get(pk=ignored.pk).status == DeliveryStatus.APPLIED  # an applied one is not applied twice
    for bad in ("abc", "²", "99999999999999999999999"):
        assert client.get(f"/integrations/deliveries/{bad}/").status_code == 404
        assert client.get(f"/integrations/sources/{bad}/").status_code == 404


@pytest.mark.django_db
def test_a_facilitator_links_a_record_on_the_review_page_and_what_it_sent_is_applied(
    client, facilitator, staff, jira, django_capture_on_commit_callbacks
):
    source, _ = jira
    review = make_review(facilitator)
    waiting = store(source, vendors.fixture("jira/03_comment_created_public"), "c-1")
    apply.delivery_apply(waiting.pk)
    assert Delivery.objects.get(pk=waiting.pk).status == DeliveryStatus.IGNORED  # not an escalation Baton tracks
    client.force_login(facilitator)
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Link a record from a tool" in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("integrations:link", args=[review.pk]), {"source": source.pk, "external_id": "SUP-1042"}
        )
    assert response.status_code == 302 and response["Location"].endswith("#sources")
    from integrations.tasks import replay_record

    replay_record(Record.objects.get(external_id="SUP-1042").pk)
    assert Delivery.objects.get(pk=waiting.pk).status == DeliveryStatus.APPLIED
    page = client.get(review.get_absolute_url()).content.decode()
    assert 'from <a href="https://acme-support.atlassian.net/browse/SUP-1042"' in page
    assert waiting.get_absolute_url() in page  # facilitators may open the delivery
    again = client.post(
        reverse("integrations:link", args=[review.pk]), {"source": source.pk, "external_id": "SUP-1042"}
    )
    assert "already feeds this escalation" in client.get(again["Location"]).content.decode()

    review.state = "published"
    review.save()
    client.force_login(staff)
    public = client.get(review.get_absolute_url()).content.decode()
    assert "Jira (support)" in public and waiting.get_absolute_url() not in public  # provenance, not the delivery
    assert "Link a record from a tool" not in public
    assert (
        client.post(
            reverse("integrations:link", args=[review.pk]), {"source": source.pk, "external_id": "X"}
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_the_integrations_page_makes_the_same_number_of_queries_however_many_deliveries(client, facilitator, jira):
    source, _ = jira
    client.force_login(facilitator)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("integrations:index")).status_code == 200
        return len(queries.captured_queries)

    store(source, vendors.fixture("jira/01_issue_created"), "q-0")
    few = count()
    for number in range(1, 60):
        store(source, vendors.fixture("jira/01_issue_created"), f"q-{number}")
    assert count() == few
