"""The inbox in Chromium: a participant is invited, sees the bell count rise, opens the inbox,
follows the link and scores."""

import pytest

from core.roles import FACILITATORS
from reviews import services as reviews
from tests.factories import UserFactory, make_review
from tests.test_browser import sign_in

pytestmark = pytest.mark.browser


def test_an_invited_participant_follows_the_bell_to_the_review_and_scores(browser, live_server, password, screenshot):
    fiona = UserFactory(username="fiona", first_name="Fiona", last_name="Facilitator", roles=[FACILITATORS])
    priya = UserFactory(username="priya", first_name="Priya", last_name="Raman")
    review = make_review(fiona, title="Card payments declined for Northwind")

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, "priya", password)
        bell = page.locator("a.bell")
        bell.wait_for()
        assert page.locator(".bell-count").is_hidden()  # nothing yet

        reviews.participant_invite(fiona, review, invitee=priya)
        reviews.review_start(fiona, review)
        page.reload()
        page.locator(".bell-count", has_text="2").wait_for()
        assert bell.get_attribute("aria-label") == "Inbox, 2 unread"

        bell.click()
        page.get_by_role("heading", name="Inbox").wait_for()
        assert page.get_by_text("2 unread").is_visible()
        screenshot(page, "inbox")
        page.get_by_role("link", name="Scoring is open on “Card payments declined for Northwind”").click()
        page.get_by_role("heading", name="Card payments declined for Northwind").wait_for()
        page.locator(".bell-count", has_text="1").wait_for()  # the one followed is read

        for dimension, value in enumerate([4, 4, 3, 2, 5, 4], start=1):
            page.locator(f"input[name=score_{dimension}][value='{value}']").check()
        page.get_by_role("button", name="Submit scores").click()
        page.get_by_text("Your scores are submitted.").wait_for()

        page.goto("/inbox/")
        page.get_by_role("button", name="Mark all read").click()
        page.get_by_text("Marked 1 notification read.").wait_for()
        assert page.locator(".bell-count").is_hidden()

        page.get_by_role("link", name="How Baton tells you").click()
        page.get_by_role("radio", name="You are invited to a review: Daily digest email").check()
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Saved how Baton tells you.").wait_for()
        assert page.get_by_role("radio", name="You are invited to a review: Daily digest email").is_checked()
        screenshot(page, "notification-settings")

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/inbox/")
        assert bell.is_visible()  # the bell stays in the header on a phone, beside the menu
        screenshot(page, "inbox-phone")
        page.goto("/inbox/settings/")
        screenshot(page, "notification-settings-phone")
    finally:
        context.close()
