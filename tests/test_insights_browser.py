"""In Chromium: the Insights dashboard and the quarterly snapshot, as a facilitator would open them."""

from datetime import UTC, datetime

import pytest

from tests.factories import TeamFactory
from tests.test_browser import sign_in
from tests.test_insights import (
    data,  # noqa: F401 - the fixed data set
    incident,
)
from tests.test_playbook_services import new_section

pytestmark = pytest.mark.browser

SIZES = {"desktop-1366": (1366, 768), "desktop-1280": (1280, 800), "phone": (390, 844)}
LONG_PATTERN = "Payment outage reported by an enterprise customer during the month-end close"

# Every text of every chart, with its box and its chart's box, in CSS pixels.
CHART_TEXTS = """() => [...document.querySelectorAll('svg.chart')].map((svg) => {
  const box = svg.getBoundingClientRect();
  return {
    label: svg.getAttribute('aria-label'),
    svg: {left: box.left, right: box.right, top: box.top, bottom: box.bottom},
    texts: [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim()).map((t) => {
      const r = t.getBoundingClientRect();
      return {text: t.textContent.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    }),
  };
})"""
OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# The outermost elements that reach past the window's right edge, to say what overflows.
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter((el) => !(el.parentElement.getBoundingClientRect().right > window.innerWidth + 0.5))
  .slice(0, 5).map((el) => el.outerHTML.slice(0, 120))"""


@pytest.fixture
def busy(data, staff, governance):  # noqa: F811
    """The fixed data set, plus a long pattern name, a long team name and slower escalations."""
    section = new_section(staff, governance, slug="month-end", pattern=LONG_PATTERN, target_ownership_minutes=60)
    team = TeamFactory(name="Customer Success Enterprise EMEA", slug="cs-emea")
    for tto, ttr in ((139, 2000), (125, 1500)):
        incident(data["author"], team, tto=tto, ttfu=75, ttr=ttr, satisfaction=5, clarity=90, section=section)
    incident(data["author"], team, at=datetime(2026, 4, 20, tzinfo=UTC), tto=200, ttfu=300, ttr=4000)
    return data


@pytest.fixture
def open_as(browser, live_server, password):
    """A signed-in page at a screen size from SIZES; every context is closed afterwards."""
    contexts = []

    def open_page(username, size):
        width, height = SIZES[size]
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}, is_mobile=width < 600
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, username, password)
        page.wait_for_url(lambda url: "/sign-in/" not in url)
        return page

    yield open_page
    for context in contexts:
        context.close()


def assert_no_horizontal_overflow(page):
    scroll_width, inner_width = page.evaluate(OVERFLOW)
    assert scroll_width <= inner_width, f"{scroll_width}px wide in {inner_width}px: {page.evaluate(WIDE)}"


def _overlap(a, b):
    across = a["left"] < b["right"] - 0.5 and b["left"] < a["right"] - 0.5
    return across and a["top"] < b["bottom"] - 0.5 and b["top"] < a["bottom"] - 0.5


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


@pytest.mark.parametrize("size", SIZES)
def test_the_dashboard_fits_the_screen_and_every_chart_label_lies_inside_its_chart(busy, open_as, screenshot, size):
    page = open_as("staff", size)
    page.goto("/insights/?quarter=2026-Q3")
    page.get_by_role("heading", name="Insights · 2026 Q3").wait_for()
    assert_no_horizontal_overflow(page)
    charts = page.evaluate(CHART_TEXTS)
    assert len(charts) == 7
    for chart in charts:
        box = chart["svg"]
        assert chart["texts"], chart["label"]
        for text in chart["texts"]:
            inside = (
                text["left"] >= box["left"] - 0.5
                and text["right"] <= box["right"] + 0.5
                and text["top"] >= box["top"] - 0.5
                and text["bottom"] <= box["bottom"] + 0.5
            )
            assert inside, f"{text['text']!r} reaches outside {chart['label']!r}: {text} in {box}"
    screenshot(page, f"insights-dashboard-{size}")


def test_no_two_labels_of_a_chart_overlap(busy, open_as):
    page = open_as("staff", "desktop-1280")
    page.goto("/insights/?quarter=2026-Q3")
    for chart in page.evaluate(CHART_TEXTS):
        texts = chart["texts"]
        for index, first in enumerate(texts):
            for second in texts[index + 1 :]:
                assert not _overlap(first, second), (first["text"], second["text"], chart["label"])


def test_the_target_marker_never_covers_the_value_label(busy, open_as):
    page = open_as("staff", "desktop-1280")
    page.goto("/insights/?quarter=2026-Q3")
    pairs = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart line.target')].map((line) => {
          let value = line.nextElementSibling;
          while (value && !value.matches('text.ch-value')) value = value.nextElementSibling;
          return {marker: line.getBoundingClientRect().right, value: value.getBoundingClientRect().left,
                  text: value.textContent};
        })"""
    )
    assert [pair["text"] for pair in pairs] == ["20 min", "2 h 12 min"]  # the medians of the two patterns
    for pair in pairs:
        assert pair["marker"] < pair["value"], pair


def test_every_chart_has_an_axis_with_ticks_and_its_unit(busy, open_as):
    page = open_as("staff", "desktop-1280")
    page.goto("/insights/?quarter=2026-Q3")
    axes = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart')].map((svg) => ({
          label: svg.getAttribute('aria-label'),
          ticks: [...svg.querySelectorAll('.ch-axis text:not(.ch-axis-name)')].map((t) => t.textContent),
          unit: svg.querySelector('.ch-axis-name').textContent,
        }))"""
    )
    units = {axis["label"]: axis["unit"] for axis in axes}
    assert units == {
        "Time to ownership (median) per quarter": "hours",
        "Time to first update (median) per quarter": "hours",
        "Time to resolution (median) per quarter": "hours",
        "Customer satisfaction (mean) per quarter": "rating (1–5)",
        "Ownership clarity (mean) per quarter": "score (0–100)",
        "Mean consolidated score per dimension, 1 to 5": "mean consolidated score (1–5)",
        "Median time to ownership per pattern; the line is the playbook target": "hours",
    }
    for axis in axes:
        assert axis["ticks"][0] == "0" and len(axis["ticks"]) >= 3, axis
        numbers = [float(tick) for tick in axis["ticks"]]
        assert numbers == sorted(numbers), axis


def test_every_column_of_the_per_team_table_is_visible_at_1366(busy, open_as, screenshot):
    page = open_as("staff", "desktop-1366")
    page.goto("/insights/?quarter=2026-Q3")
    table = page.get_by_role("region", name="Per team", exact=True).locator("table")
    wrap = table.locator("xpath=..")
    view = page.evaluate("() => window.innerWidth")
    wrap_box = wrap.bounding_box()
    headers = table.locator("thead th")
    assert headers.count() == 8
    for index in range(headers.count()):
        header = headers.nth(index)
        box = header.bounding_box()
        assert box["x"] >= wrap_box["x"] and box["x"] + box["width"] <= min(view, wrap_box["x"] + wrap_box["width"]), (
            header.inner_text()
        )
    assert wrap.evaluate("(el) => el.scrollWidth <= el.clientWidth")
    assert page.get_by_role("columnheader", name="Targets met").first.is_visible()
    page.get_by_role("region", name="Per team", exact=True).scroll_into_view_if_needed()
    screenshot(page, "insights-teams-1366")


def test_on_a_phone_the_per_team_table_reads_as_one_block_per_team(busy, open_as):
    page = open_as("staff", "phone")
    page.goto("/insights/?quarter=2026-Q3")
    teams = page.get_by_role("region", name="Per team", exact=True)
    row = teams.locator("tbody tr", has_text="Customer Success Enterprise EMEA")
    cells = row.locator("td")
    widths = {round(cells.nth(index).bounding_box()["width"]) for index in range(cells.count())}
    assert len(widths) == 1  # each figure takes the row's whole width, one under the other
    labels = cells.evaluate_all("(tds) => tds.map((td) => getComputedStyle(td, '::before').content)")
    assert labels[:3] == ['"Escalations"', '"Time to ownership"', '"First update"']  # each figure says what it is


@pytest.mark.parametrize("size", SIZES)
def test_the_snapshot_pages_fit_the_screen(busy, facilitator, open_as, screenshot, size):
    page = open_as("facilitator", size)
    page.goto("/insights/snapshot/?quarter=2026-Q3")
    page.get_by_role("heading", name="Performance snapshot · 2026 Q3").wait_for()
    assert_no_horizontal_overflow(page)
    screenshot(page, f"insights-snapshot-{size}")

    page.goto("/insights/customer/?quarter=2026-Q3&customer=Acme")
    page.get_by_role("heading", name="Escalation report for Acme · 2026 Q3").wait_for()
    assert_no_horizontal_overflow(page)
    screenshot(page, f"insights-customer-{size}")


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


@pytest.mark.parametrize("size", SIZES)
def test_the_shared_customer_snapshot_fits_the_screen(browser, live_server, busy, facilitator, screenshot, size):
    from insights import services

    link = services.share_link_create(facilitator, customer="Acme", year=2026, quarter=3)
    width, height = SIZES[size]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}, is_mobile=width < 600
    )
    try:
        page = context.new_page()
        page.goto(f"/s/{link.token}/")
        page.get_by_role("heading", name="Escalation report for Acme · 2026 Q3").wait_for()
        assert_no_horizontal_overflow(page)
        screenshot(page, f"insights-customer-shared-{size}")
    finally:
        context.close()
