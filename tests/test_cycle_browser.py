"""In Chromium, at desktop and phone widths: a governance owner runs the quarterly cycle
(reassigns a task, reminds its owner now) and reads why they cannot decide their own revision.
Every page is checked for horizontal overflow."""

import pytest

from core.roles import GOVERNANCE
from playbook import services
from playbook.models import ReviewTask
from tests.factories import UserFactory
from tests.test_browser import sign_in
from tests.test_playbook_services import new_section, propose

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def cycle(staff, governance):
    """Three sections owned by Sam, their quarterly tasks, and Pat, who can take one over."""
    new_section(staff, governance, pattern="Payment outage reported by an enterprise customer")
    new_section(staff, governance, slug="login", pattern="Single sign-on fails for a whole tenant")
    new_section(staff, governance, slug="data", pattern="Data export delayed beyond the contract")
    services.cycle_reconcile()
    return UserFactory(username="pat", first_name="Pat", last_name="Park")


@pytest.fixture
def open_page(browser, live_server, password):
    contexts = []

    def open_as(username, viewport):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, is_mobile=viewport == PHONE)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, username, password)
        return page

    yield open_as
    for context in contexts:
        context.close()


def fits(page):
    """Nothing sticks out sideways: the page never scrolls horizontally."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_governance_owner_reassigning_a_task_on_a_desktop(open_page, cycle, screenshot):
    task = ReviewTask.objects.get(section__slug="payments")
    page = open_page("governance", DESKTOP)
    page.goto("/playbook/cycle/")
    row = page.locator(f"#task-{task.pk}")
    assert row.get_by_text("Sam Staff").is_visible()
    assert fits(page)
    screenshot(page, "cycle-desktop")

    row.get_by_role("link", name="Reassign, extend or complete the review of Payment outage").click()
    page.get_by_role("heading", name="Run this review").wait_for()
    assert fits(page)
    screenshot(page, "cycle-task-desktop")

    page.get_by_label("New owner").select_option(label="Pat Park")
    page.locator("form", has=page.get_by_role("heading", name="Reassign")).get_by_label("Why").fill(
        "Sam is on leave until January."
    )
    page.get_by_role("button", name="Reassign", exact=True).click()
    page.get_by_text("is now Pat Park's to review; they are told by mail.").wait_for()
    assert "/playbook/cycle/" in page.url
    assert row.get_by_text("Pat Park").is_visible()
    assert row.get_by_text("reassigned").is_visible()
    assert fits(page)
    screenshot(page, "cycle-reassigned-desktop")
    task.refresh_from_db()
    assert task.assignee.username == "pat" and task.version == 2


def test_a_governance_owner_reassigning_and_reminding_on_a_phone(open_page, cycle, screenshot):
    task = ReviewTask.objects.get(section__slug="login")
    page = open_page("governance", PHONE)
    page.goto("/playbook/cycle/")
    assert fits(page)
    screenshot(page, "cycle-phone")

    row = page.locator(f"#task-{task.pk}")
    row.get_by_role("button", name="Remind Sam Staff now about Single sign-on fails for a whole tenant").click()
    page.get_by_text("A reminder is on its way to Sam Staff.").wait_for()
    assert row.get_by_text("Reminded today").is_visible()
    assert row.get_by_role("button", name="Remind").count() == 0  # no second click to make

    row.get_by_role("link", name="Reassign, extend or complete").click()
    page.get_by_role("heading", name="Run this review").wait_for()
    assert page.get_by_text("Reminded today at").is_visible()
    assert fits(page)
    screenshot(page, "cycle-task-phone")

    page.get_by_role("button", name="Reassign", exact=True).click()  # nobody chosen
    page.get_by_text("Choose who takes this review over.").wait_for()
    assert fits(page)
    screenshot(page, "cycle-task-error-phone")
    page.get_by_label("New owner").select_option(label="Pat Park")
    page.get_by_role("button", name="Reassign", exact=True).click()
    page.get_by_text("is now Pat Park's to review").wait_for()
    assert page.locator(f"#task-{task.pk}").get_by_text("Pat Park").is_visible()
    assert fits(page)
    screenshot(page, "cycle-reassigned-phone")


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_a_governance_owner_reads_who_else_can_decide_their_revision(
    open_page, staff, governance, screenshot, size, viewport
):
    revision = propose(governance, new_section(staff, governance), change_authority="The decision owner")
    UserFactory(username="gina", first_name="Gina", last_name="Green", roles=[GOVERNANCE])
    page = open_page("governance", viewport)
    page.goto(revision.get_absolute_url())
    panel = page.get_by_role("region", name="You cannot decide this revision")
    assert panel.get_by_text("Four eyes: you wrote it").is_visible()
    assert panel.get_by_text("Gina Green").is_visible()
    assert page.get_by_role("button", name="Approve and publish").count() == 0
    assert fits(page)
    screenshot(page, f"revision-four-eyes-{size}")
