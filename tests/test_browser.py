"""A person in Chromium: sign in, look around, sign out."""

import pytest

from teams.models import Membership
from tests.factories import TeamFactory

pytestmark = pytest.mark.browser


def sign_in(page, username, password):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_facilitator_signs_in_sees_home_and_signs_out(page, facilitator, password, screenshot):
    Membership.objects.create(user=facilitator, team=TeamFactory(name="Customer Success", slug="cs"), is_lead=True)
    page.goto("/")
    assert "/sign-in/" in page.url
    screenshot(page, "sign-in")

    sign_in(page, "facilitator", "wrong")
    assert page.get_by_role("alert").is_visible()
    screenshot(page, "sign-in-error")

    sign_in(page, "facilitator", password)
    page.get_by_role("heading", name="Welcome, Fiona").wait_for()
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Reviews", "Playbook", "Recognition", "Insights", "API"):
        assert nav.get_by_role("link", name=name, exact=True).is_visible()
    assert page.get_by_text("Facilitator", exact=True).is_visible()
    assert page.get_by_role("heading", name="Reviews you facilitate").is_visible()
    assert page.get_by_role("link", name="Customer Success").is_visible()
    screenshot(page, "home-facilitator")

    nav.get_by_role("link", name="Playbook").click()
    page.get_by_role("heading", name="Escalation playbook").wait_for()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in to Baton").wait_for()
    page.goto("/")
    assert "/sign-in/" in page.url


def test_home_on_a_phone(browser, live_server, staff, password, screenshot):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, "staff", password)
        page.get_by_role("heading", name="Welcome, Sam").wait_for()
        nav_link = page.get_by_role("link", name="Reviews", exact=True)
        assert not nav_link.is_visible()
        page.get_by_role("button", name="Menu").click()
        assert nav_link.is_visible()
        screenshot(page, "home-phone")
    finally:
        context.close()


def test_api_docs_render_offline(page, live_server, staff, password, screenshot):
    page_origin = live_server.url
    failed = []
    # Navigations cancel what the previous page was still loading (ERR_ABORTED): not a failure.
    page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "") else failed.append(r.url))
    external = []
    page.on("request", lambda request: None if request.url.startswith(page_origin) else external.append(request.url))
    sign_in(page, "staff", password)
    page.goto("/api/docs/")
    page.get_by_text("Baton API").first.wait_for()
    page.locator(".opblock-tag", has_text="teams").first.wait_for()
    screenshot(page, "api-docs")
    assert not external, external
    assert not failed, failed
