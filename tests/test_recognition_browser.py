"""In Chromium: give a recognition, then a colleague seconds it."""

import pytest

from recognition.models import Recognition
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.test_browser import sign_in

pytestmark = pytest.mark.browser


def test_give_and_second_a_recognition(browser, live_server, staff, password, screenshot):
    team = TeamFactory(name="Site Reliability", slug="sre")
    MembershipFactory(team=team, user=UserFactory(username="ann"))
    UserFactory(username="colleague", first_name="Cole", last_name="League")
    contexts = []

    def open_as(username):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, username, password)
        page.get_by_role("link", name="Recognition", exact=True).click()
        return page

    try:
        giver = open_as("staff")
        giver.get_by_role("button", name="Recognise").click()
        giver.get_by_text("This field is required.").first.wait_for()
        giver.locator("#id_team").select_option(label="Site Reliability")
        giver.get_by_label("Clean handover").check()
        giver.locator("#id_message").fill("The handover note carried the customer thread and the **last promise**.")
        giver.get_by_role("button", name="Recognise").click()
        giver.get_by_text("Thank you: Site Reliability is recognised on the board.").wait_for()
        card = giver.locator(".recognition").first
        assert card.locator("strong", has_text="last promise").is_visible()
        assert card.get_by_role("button", name="Second").count() == 0  # not your own
        screenshot(giver, "recognition-given")

        seconder = open_as("colleague")
        card = seconder.locator(".recognition").first
        card.get_by_role("button", name="Second").click()
        seconder.get_by_text("You seconded the recognition of Site Reliability.").wait_for()
        card = seconder.locator(".recognition").first
        assert card.get_by_text("Seconded by Cole League").is_visible()
        assert card.get_by_text("You seconded this").is_visible()
        assert card.get_by_role("button", name="Second").count() == 0
        screenshot(seconder, "recognition-seconded")
        assert Recognition.objects.get().seconds.count() == 1
    finally:
        for context in contexts:
            context.close()
