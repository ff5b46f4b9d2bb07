"""Every main page in Chromium, at a desktop's width (1280 px) and a phone's (390 px): the page
does not widen past the screen, and axe-core (tests/vendor/axe-core, run inside the page) finds
no serious or critical accessibility violation. The data is the demo organisation, so each page
shows what a facilitator would see on a real day."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from core.quarters import Quarter
from demo.management.commands.seed_demo import DEMO_PASSWORD
from insights import services as insights_services
from playbook.models import ReviewTask, Revision, RevisionState, Section, TaskState
from reviews.models import Incident, Review, ReviewState
from teams.models import Team
from tests.test_browser import sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}
BLOCKING = ("serious", "critical")
FACILITATOR, GOVERNANCE = "fiona", "gordon"


@pytest.fixture
def demo(live_server):
    """The demo organisation: teams, people, reviews in every state, the playbook, recognitions, a tool."""
    call_command("seed_demo", quiet=True)


# Where each page is, and who opens it ------------------------------------------------------------


def _review(state):
    """The demo review in ``state`` with the most action items: ownership, rubric and actions all shown."""
    reviews = Review.objects.filter(state=state, is_exercise=False).annotate(n=Count("action_items"))
    return reviews.order_by("-n", "pk").first()


def _last_quarter():
    return Quarter.containing(timezone.localdate()).previous()


def _customer_of_last_quarter():
    quarter = _last_quarter()
    incidents = Incident.objects.filter(escalated_at__date__gte=quarter.start, escalated_at__date__lt=quarter.end)
    return incidents.exclude(customer="").values_list("customer", flat=True).order_by("customer").first()


def _shared_snapshot():
    quarter = _last_quarter()
    facilitator = Review.objects.filter(facilitator__username=FACILITATOR).first().facilitator
    link = insights_services.share_link_create(
        facilitator, customer=_customer_of_last_quarter(), year=quarter.year, quarter=quarter.number
    )
    return reverse("shared-snapshot", args=[link.token])


def _open_task():
    return ReviewTask.objects.filter(state=TaskState.OPEN).select_related("assignee").order_by("pk").first()


# name: () -> (who signs in, or None; the page's path)
PAGES = {
    "sign-in": lambda: (None, reverse("login")),
    "home": lambda: (FACILITATOR, reverse("home")),
    "review-list": lambda: (FACILITATOR, reverse("reviews:index")),
    "review-published": lambda: (FACILITATOR, _review(ReviewState.PUBLISHED).get_absolute_url()),
    "review-in-review": lambda: (FACILITATOR, _review(ReviewState.IN_REVIEW).get_absolute_url()),
    "review-create": lambda: (FACILITATOR, reverse("reviews:create")),
    "playbook": lambda: (FACILITATOR, reverse("playbook:index")),
    "playbook-section": lambda: (FACILITATOR, Section.objects.order_by("slug").first().get_absolute_url()),
    "playbook-revision": lambda: (
        GOVERNANCE,
        Revision.objects.filter(state=RevisionState.SUBMITTED).order_by("pk").first().get_absolute_url(),
    ),
    "playbook-compare": lambda: (
        FACILITATOR,
        reverse("playbook:compare", args=[Section.objects.filter(current__number__gt=1).order_by("slug")[0].slug]),
    ),
    "playbook-cycle": lambda: (GOVERNANCE, reverse("playbook:cycle")),
    "playbook-task": lambda: (_open_task().assignee.username, reverse("playbook:task", args=[_open_task().pk])),
    "recognition": lambda: (FACILITATOR, reverse("recognition:index")),
    "teams": lambda: (FACILITATOR, reverse("teams:list")),
    "team": lambda: (FACILITATOR, Team.objects.order_by("slug").first().get_absolute_url()),
    "insights": lambda: (FACILITATOR, reverse("insights")),
    "snapshot": lambda: (FACILITATOR, reverse("snapshot")),
    "snapshot-customer": lambda: (
        FACILITATOR,
        f"{reverse('snapshot-customer')}?customer={_customer_of_last_quarter()}",
    ),
    "snapshot-shared": lambda: (None, _shared_snapshot()),
    "integrations": lambda: (FACILITATOR, reverse("integrations:index")),
    "audit": lambda: (GOVERNANCE, reverse("audit")),
    "api-docs": lambda: (FACILITATOR, reverse("api-docs")),
}


# In the browser ----------------------------------------------------------------------------------


@pytest.fixture
def open_at(browser, live_server):
    """open_at(width, username) -> a page of a fresh browser context that width wide, signed in
    as ``username`` (None: not signed in), with axe-core loaded into every document."""
    contexts = []

    def open_(width, username):
        phone = width < 600
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": 844 if phone else 900},
            is_mobile=phone,
            has_touch=phone,
        )
        contexts.append(context)
        # An init script runs outside the page's content security policy, which refuses inline scripts.
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        page.set_default_timeout(15_000)
        if username:
            sign_in(page, username, DEMO_PASSWORD)
            page.locator(".who-name").wait_for(state="attached")  # in the folded menu on a phone
        return page

    yield open_
    for context in contexts:
        context.close()


def go(page, path):
    """Open the page, with every folded part (details) unfolded so that it is checked too."""
    response = page.goto(path)
    assert response.status == 200, f"{path}: HTTP {response.status}"
    if path.startswith(reverse("api-docs")):
        page.locator(".opblock-tag").first.wait_for()
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def axe_problems(page):
    """axe-core's serious and critical violations on the page, one readable line per rule."""
    violations = page.evaluate("async () => (await axe.run(document, { resultTypes: ['violations'] })).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:6])
        + (f" and {len(v['nodes']) - 6} more" if len(v["nodes"]) > 6 else "")
        for v in violations
        if v["impact"] in BLOCKING
    ]


WIDER_THAN = """width => {
  const clipped = el => { for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible') return true; } return false; };
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1 && !el.children.length && !clipped(el))
    .slice(0, 5)
    .map(el => [el.localName, ...(el.getAttribute('class') || '').split(/\\s+/).filter(Boolean)].join('.'));
}"""


def overflow(page, width):
    """How far the page is wider than the screen (0: it fits), and a few of the elements that stick out."""
    wider = page.evaluate("document.documentElement.scrollWidth") - width
    return wider, (page.evaluate(WIDER_THAN, width) if wider > 0 else [])


def check(page, width):
    """What is wrong with the page at this width: too wide, and axe's serious and critical violations."""
    wider, sticking_out = overflow(page, width)
    too_wide = [f"{wider} px wider than the screen: {sticking_out}"] if wider > 0 else []
    return too_wide + axe_problems(page)


@pytest.mark.parametrize("name", PAGES)
def test_the_page_fits_a_desktop_and_a_phone_and_axe_finds_no_serious_violation(demo, open_at, screenshot, name):
    username, path = PAGES[name]()
    problems = []
    for width in WIDTHS.values():
        page = open_at(width, username)
        go(page, path)
        screenshot(page, f"a11y-{name}-{width}")
        problems += [f"at {width} px: {problem}" for problem in check(page, width)]
    assert not problems, f"{path}\n" + "\n".join(problems)


def test_the_api_docs_with_an_operation_tried_out_fit_and_pass_axe(demo, open_at, screenshot):
    problems = []
    for width in WIDTHS.values():
        page = open_at(width, FACILITATOR)
        go(page, reverse("api-docs"))
        page.locator(".opblock-get .opblock-summary-control").first.click()
        page.get_by_role("button", name="Try it out").first.click()
        page.get_by_role("button", name="Execute").first.click()
        page.locator(".live-responses-table").first.wait_for()
        screenshot(page, f"a11y-api-docs-tried-{width}")
        problems += [f"at {width} px: {problem}" for problem in check(page, width)]
    assert not problems, "the API docs, an operation tried out\n" + "\n".join(problems)


def test_the_review_tables_become_stacked_rows_on_a_phone(demo, open_at, screenshot):
    page = open_at(WIDTHS["phone"], FACILITATOR)
    go(page, _review(ReviewState.PUBLISHED).get_absolute_url())
    screenshot(page, "a11y-review-stacked-phone")
    for where in ("#ownership table", "#scores table.rubric", "#actions table"):
        table = page.locator(where)
        assert table.evaluate("t => getComputedStyle(t).display") == "block", where
        assert table.locator("thead").evaluate("h => h.getBoundingClientRect().width") <= 1, where
        labels = table.locator("td[data-label]").evaluate_all(
            "cells => cells.filter(c => c.offsetParent)"
            ".map(c => [c.dataset.label, getComputedStyle(c, '::before').content])"
        )
        assert labels, f"{where} has no labelled cell"
        assert all(shown == f'"{label}"' for label, shown in labels), (where, labels)
        rows = table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.getBoundingClientRect().right)")
        assert max(rows) <= WIDTHS["phone"], (where, rows)


def test_the_review_tables_stay_tables_on_a_desktop(demo, open_at):
    page = open_at(WIDTHS["desktop"], FACILITATOR)
    go(page, _review(ReviewState.PUBLISHED).get_absolute_url())
    for where in ("#ownership table", "#scores table.rubric", "#actions table"):
        assert page.locator(where).evaluate("t => getComputedStyle(t).display") == "table", where


def test_each_fields_description_points_at_its_help_text_and_its_errors(demo, open_at, screenshot):
    page = open_at(WIDTHS["desktop"], FACILITATOR)
    go(page, reverse("playbook:propose-new"))
    page.get_by_role("button", name="Submit for approval").click()
    page.locator(".field.has-error").first.wait_for()
    screenshot(page, "a11y-field-errors")

    described = page.locator("[aria-describedby]").evaluate_all(
        "els => els.map(el => [el.id, el.getAttribute('aria-describedby').split(/\\s+/)])"
    )
    ids = [target for _, targets in described for target in targets]
    assert any(i.endswith("_helptext") for i in ids) and any(i.endswith("_error") for i in ids), described
    missing = [
        (field, target) for field, targets in described for target in targets if page.locator(f"#{target}").count() != 1
    ]
    assert not missing, f"aria-describedby names no element: {missing}"
    first_error = next(i for i in ids if i.endswith("_error"))
    assert page.locator(f"#{first_error}").inner_text().strip(), "the error an input names is empty"
