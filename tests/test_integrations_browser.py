"""In Chromium: a facilitator connects Zendesk, opens the escalation that arrived from Zendesk and
PagerDuty, links the paged incident, corrects one fact and sees where each fact came from."""

import json

import pytest
import requests

from integrations import apply
from integrations.models import Delivery, DeliveryStatus, Record, Source
from tests import vendors
from tests.test_browser import sign_in
from tests.test_integrations import PD_INCIDENT, ZENDESK_TICKET

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def apply_waiting():
    for delivery_id in (
        Delivery.objects.filter(status=DeliveryStatus.RECEIVED).order_by("id").values_list("id", flat=True)
    ):
        apply.delivery_apply(delivery_id)


def post(live_server, source, body, headers):
    response = requests.post(live_server.url + source.webhook_path(), data=body, headers=headers, timeout=10)
    assert response.status_code == 202, response.text


def both_widths(page, screenshot, name):
    screenshot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_facilitator_opens_an_escalation_from_zendesk_and_pagerduty_corrects_a_fact_and_sees_its_provenance(
    page, live_server, facilitator, password, responders, vendor_api, screenshot
):
    sign_in(page, "facilitator", password)
    page.get_by_role("link", name="Integrations").click()
    page.get_by_text("No tool is connected yet.").wait_for()
    # Zendesk makes the signing secret: left out, the form says so on the field.
    page.get_by_role("link", name="Connect a tool").click()
    page.get_by_label("Kind").select_option("zendesk")
    page.get_by_label("Name").fill("Zendesk (support)")
    page.get_by_role("button", name="Connect").click()
    page.get_by_text("Paste the signing secret Zendesk shows for this webhook.").wait_for()
    both_widths(page, screenshot, "integrations-connect-errors")
    page.get_by_role("link", name="Integrations", exact=True).first.click()
    for kind, label, secret in (
        ("zendesk", "Zendesk (support)", "zendesk-secret"),
        ("pagerduty", "PagerDuty", "pd-secret"),
    ):
        page.get_by_role("link", name="Connect a tool").click()
        page.get_by_label("Kind").select_option(kind)
        page.get_by_label("Name").fill(label)
        page.get_by_label("Signing secret").fill(secret)
        page.get_by_label("Escalation tags").fill("escalated" if kind == "zendesk" else "")
        page.get_by_label("Escalation priorities").fill("" if kind == "zendesk" else "P1")
        page.get_by_label("API address").fill(vendor_api.url)
        page.get_by_label("API token").fill(vendor_api.directory.token)
        page.get_by_role("button", name="Connect").click()
        page.get_by_text("Signing secret — shown only now.").wait_for()
        assert page.get_by_test_id("secret").inner_text() == secret
        if kind == "zendesk":
            both_widths(page, screenshot, "integrations-source-created")
        page.reload()
        assert page.get_by_test_id("secret").count() == 0  # once only
        page.get_by_role("link", name="Integrations", exact=True).first.click()

    zendesk, pd = Source.objects.get(kind="zendesk"), Source.objects.get(kind="pagerduty")
    for name in vendors.story("zendesk"):
        body = vendors.encode(vendors.fixture(f"zendesk/{name}"))
        headers = vendors.zendesk("zendesk-secret", body) | {"X-Zendesk-Webhook-Invocation-Id": name}
        post(live_server, zendesk, body, headers)
    broken = b'{"type": "zen:event-type:ticket.created", "detail": {"id": "1", "tags": "escalated"}, "time": "soon"}'
    post(live_server, zendesk, broken, vendors.zendesk("zendesk-secret", broken))
    apply_waiting()

    page.reload()
    page.get_by_role("cell", name="Zendesk (support)").first.wait_for()
    assert page.get_by_text("The event time “soon” is not a timestamp.").count() == 1
    both_widths(page, screenshot, "integrations-index")

    # The escalation opened by Zendesk, each fact marked with where it came from.
    incident = Record.objects.get(source=zendesk, external_id=ZENDESK_TICKET).incident
    page.goto(incident.review.get_absolute_url())
    page.get_by_role("heading", name=incident.title).wait_for()
    assert page.locator("#ownership .origin").count() == 2  # Priya, then Sam, from Zendesk
    assert page.locator("#timeline .origin", has_text="Zendesk (support)").count() >= 3

    # The paged incident behind it: linked by hand, then PagerDuty's events arrive.
    page.locator("#sources summary").click()
    page.get_by_label("Tool", exact=True).select_option(label="PagerDuty")
    page.get_by_label("Record in the tool").fill(PD_INCIDENT)
    page.get_by_role("button", name="Link").click()
    page.get_by_text("Linked: what the tool sent about it is being applied.").wait_for()
    for name in vendors.story("pagerduty"):
        body = vendors.encode(vendors.fixture(f"pagerduty/{name}"))
        post(live_server, pd, body, vendors.pagerduty("pd-secret", body))
    apply_waiting()
    page.reload()
    lead_rows = page.locator("#ownership tr", has_text="PagerDuty")
    assert lead_rows.count() == 3  # Priya, Mei, Diego as investigation lead
    acknowledged = page.locator("#timeline li.tl-milestone", has_text="Acknowledged")
    assert "PagerDuty" in acknowledged.inner_text()

    # The facilitator knows the acknowledgement came two minutes earlier, by phone: corrected by hand.
    page.get_by_role("link", name="Edit incident & narrative").click()
    page.get_by_label("Acknowledged").fill("2026-11-02T09:10")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name=incident.title).wait_for()
    acknowledged = page.locator("#timeline li.tl-milestone", has_text="Acknowledged")
    assert "PagerDuty" not in acknowledged.inner_text()  # now the facilitator's value

    # A late report from PagerDuty is kept and shown beside it, not applied over it.
    late = vendors.fixture("pagerduty/02_incident_acknowledged")
    late["event"] = late["event"] | {"id": "01LATEACK", "occurred_at": "2026-11-02T09:14:00.000Z"}
    late = json.loads(json.dumps(late))
    body = vendors.encode(late)
    post(live_server, pd, body, vendors.pagerduty("pd-secret", body))
    apply_waiting()
    page.reload()
    beside = page.locator("#timeline li.tl-milestone", has_text="Acknowledged")
    assert "PagerDuty says" in beside.inner_text()
    assert "Kept beside the value a facilitator set by hand." in beside.inner_text()
    incident.refresh_from_db()
    assert incident.acknowledged_at.strftime("%H:%M") == "09:10"
    page.locator("#ownership").scroll_into_view_if_needed()
    both_widths(page, screenshot, "review-provenance")

    page.locator("#timeline li.tl-milestone", has_text="Acknowledged").get_by_role(
        "link", name="incident.acknowledged"
    ).first.click()
    page.get_by_role("heading", name="What it said").wait_for()
    both_widths(page, screenshot, "integrations-delivery")
