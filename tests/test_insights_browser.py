"""In Chromium: the Insights dashboard and the quarterly snapshot, as a facilitator would open them."""

import pytest

from tests.test_browser import sign_in
from tests.test_insights import data  # noqa: F401 - the fixed data set

pytestmark = pytest.mark.browser


def test_open_the_dashboard_and_the_snapshot(page, data, staff, password, screenshot):  # noqa: F811
    sign_in(page, "staff", password)
    page.get_by_role("link", name="Insights", exact=True).click()
    page.get_by_label("Quarter").select_option("2026-Q3")
    page.get_by_role("button", name="Show", exact=True).click()
    page.get_by_role("heading", name="Insights · 2026 Q3").wait_for()
    assert page.get_by_role("heading", name="Bottlenecks: where to act next").is_visible()
    assert page.locator("svg[role=img]").count() >= 7  # five trends, dimensions, ownership vs target
    assert page.get_by_role("link", name="Beta").first.is_visible()
    screenshot(page, "insights-dashboard")

    page.get_by_role("link", name="Quarterly snapshot").click()
    page.get_by_label("Quarter").select_option("2026-Q3")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("heading", name="Performance snapshot · 2026 Q3").wait_for()
    assert page.get_by_role("link", name="PDF").is_visible()
    screenshot(page, "insights-snapshot")
    page.emulate_media(media="print")
    assert not page.get_by_role("link", name="PDF").is_visible()  # the print stylesheet hides the controls
    screenshot(page, "insights-snapshot-print")


def test_a_customer_opens_their_shared_snapshot_without_signing_in(browser, live_server, data, facilitator, screenshot):  # noqa: F811
    from insights import services
    from reviews.models import Incident

    Incident.objects.filter(team=data["a"]).update(customer="Acme")
    link = services.share_link_create(facilitator, customer="Acme", year=2026, quarter=3)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"/s/{link.token}/")
        page.get_by_role("heading", name="Escalation report for Acme · 2026 Q3").wait_for()
        assert page.get_by_role("button", name="Sign out").count() == 0
        screenshot(page, "insights-customer-shared")
    finally:
        context.close()
