"""In Chromium: a staff member proposes a revision, a governance owner reviews
the diff and approves it, and the new version shows."""

import pytest

from tests.test_browser import sign_in
from tests.test_playbook_services import new_section

pytestmark = pytest.mark.browser


def test_propose_review_and_approve_a_revision(browser, live_server, staff, governance, password, screenshot):
    section = new_section(staff, governance, change_authority="The on-call lead")
    contexts = []

    def open_as(username):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, username, password)
        return page

    try:
        author = open_as("staff")
        author.get_by_role("link", name="Playbook", exact=True).click()
        author.get_by_role("link", name="Payment outage").click()
        screenshot(author, "playbook-section")
        author.get_by_role("link", name="Propose a change").click()
        author.get_by_label("Time-to-first-update target (minutes)").fill("20")
        author.get_by_label("Who may authorise a production change").fill(
            "The decision owner named in the ownership map"
        )
        author.get_by_label("Rationale").fill("Two teams both believed they could roll back.")
        author.get_by_role("button", name="Submit for approval").click()
        author.get_by_text("Revision submitted for approval.").wait_for()
        assert author.get_by_text("Approve and publish").count() == 0  # no deciding your own

        approver = open_as("governance")
        approver.get_by_role("link", name=f"#{section.revisions.latest('pk').pk} Payment outage").click()
        assert approver.locator("ins", has_text="20").is_visible()
        assert approver.locator("del", has_text="30").is_visible()
        approver.get_by_role("button", name="Approve and publish").click()
        approver.get_by_text("Attest that the change fits the regulatory requirements.").wait_for()
        screenshot(approver, "playbook-revision-attest-error")
        approver.get_by_label("I attest this change fits our regulatory requirements").check()
        approver.get_by_label("I attest this change follows the blameless principle").check()
        approver.get_by_role("button", name="Approve and publish").click()
        approver.get_by_text("Approved and published as version 2.").wait_for()
        assert approver.get_by_text("20 min").first.is_visible()
        screenshot(approver, "playbook-section-v2")

        author.goto(section.get_absolute_url())
        assert author.get_by_text("Version 2").first.is_visible()
        assert author.get_by_text("The decision owner named in the ownership map").is_visible()
    finally:
        for context in contexts:
            context.close()
