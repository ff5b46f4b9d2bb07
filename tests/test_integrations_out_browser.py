"""Outgoing webhooks and Jira in Chromium: an admin subscribes an address and reads its log; a
facilitator sends an action item to Jira and sees its key."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.roles import FACILITATORS
from integrations import outbound
from integrations import services as integrations
from integrations.models import Subscription, TrackerLink
from reviews import services as reviews
from tests.factories import UserFactory, make_review
from tests.jira_api import EMAIL, TOKEN, JiraAPI
from tests.test_browser import sign_in
from tests.test_webhooks_out import Receiver, publish

pytestmark = pytest.mark.browser


def context_for(browser, live_server, width=1280, height=800):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_an_admin_subscribes_an_address_and_reads_its_log(browser, live_server, password, screenshot, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    UserFactory(username="ada", first_name="Ada", is_staff=True, is_superuser=True)
    fiona = UserFactory(username="fiona", first_name="Fiona", last_name="Facilitator", roles=[FACILITATORS])
    receiver = Receiver()
    context, page = context_for(browser, live_server)
    try:
        sign_in(page, "ada", password)
        page.goto("/integrations/")
        page.get_by_role("link", name="Outgoing webhooks").click()
        page.get_by_role("link", name="Subscribe an address").click()
        page.get_by_label("Name").fill("BI warehouse")
        page.get_by_label("Address").fill(receiver.url)
        page.get_by_role("button", name="Subscribe").click()
        assert page.get_by_text("Choose at least one event.").is_visible()  # told, on the field
        page.get_by_label("Every review event").check()
        page.get_by_label("action_item.done").check()
        screenshot(page, "webhook-create")
        page.get_by_role("button", name="Subscribe").click()
        secret = page.get_by_test_id("secret").inner_text()
        assert secret.startswith("whsec_") and secret == Subscription.objects.get().secret
        receiver.secret = secret

        publish(fiona)
        outbound.fan_out()
        outbound.send_due()
        page.reload()
        assert page.get_by_test_id("secret").count() == 0  # shown once
        assert page.get_by_role("cell", name="delivered").is_visible() or page.get_by_text("delivered").is_visible()
        screenshot(page, "webhook-detail")
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot(page, "webhook-detail-phone")
        page.goto("/integrations/webhooks/")
        screenshot(page, "webhooks-phone")
        assert receiver.received and receiver.received[0][1]  # verified by the receiver
    finally:
        context.close()
        receiver.close()


def test_a_facilitator_sends_an_action_item_to_jira_and_sees_its_key(
    browser, live_server, password, screenshot, settings
):
    fiona = UserFactory(username="fiona", first_name="Fiona", last_name="Facilitator", roles=[FACILITATORS])
    review = make_review(fiona, title="Card payments declined for Northwind")
    item = reviews.action_item_add(
        fiona, review, title="Page the on-call lead for sev1", owner=fiona, due_on=timezone.localdate() + timedelta(9)
    )
    with JiraAPI(project="OPS") as jira:
        settings.JIRA_URL, settings.JIRA_EMAIL, settings.JIRA_API_TOKEN = jira.url, EMAIL, TOKEN
        settings.JIRA_PROJECT = "OPS"
        context, page = context_for(browser, live_server)
        try:
            sign_in(page, "fiona", password)
            page.goto(review.get_absolute_url() + "#actions")
            page.get_by_role("button", name="Send to Jira: Page the on-call lead for sev1").click()
            page.get_by_text("Being sent to Jira…").wait_for()
            integrations.tracker_issue_create(TrackerLink.objects.get(action_item=item).pk)
            page.reload()
            link = page.get_by_role("link", name="Jira OPS-1 ↗")
            assert link.get_attribute("href") == f"{jira.url}/browse/OPS-1"
            page.locator("#actions").scroll_into_view_if_needed()
            screenshot(page, "review-action-in-jira")
            page.set_viewport_size({"width": 390, "height": 844})
            screenshot(page, "review-action-in-jira-phone")
        finally:
            context.close()
