"""In the browser: a governance owner reads the audit trail; a locked-out sign-in explains itself."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from core.roles import FACILITATORS
from reviews import services as reviews
from tests.factories import make_review
from tests.test_browser import sign_in

pytestmark = pytest.mark.browser


def test_governance_reads_the_audit_trail_and_an_items_history(page, governance, facilitator, password, screenshot):
    first = make_review(facilitator, title="Checkout failing for Acme")
    reviews.review_update(facilitator, first, version=first.version, narrative="The page went to a queue.")
    make_review(facilitator, title="Login slow for Globex")
    governance.groups.add(Group.objects.get(name=FACILITATORS))  # a governance owner who may open drafts
    sign_in(page, "governance", password)
    page.get_by_role("link", name="Audit").click()
    assert page.get_by_role("heading", name="Audit trail").is_visible()
    assert "role.granted" in page.locator("table.audit-table").inner_text()  # the fixtures' group memberships
    page.get_by_label("About").select_option(label="Reviews")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.audit-table tbody tr")
    assert rows.count() == 3
    assert "Login slow" in rows.first.inner_text()  # newest first
    edited = rows.filter(has_text="review.edited")
    assert "Fiona Facilitator" in edited.inner_text() and "The page went to a queue." in edited.inner_text()
    screenshot(page, "audit-trail")

    edited.get_by_role("link", name="history").click()
    assert page.locator("table.audit-table tbody tr").count() == 2
    assert "Login slow" not in page.locator("table.audit-table").inner_text()

    page.get_by_label("Action contains").fill("created")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("table.audit-table tbody tr").count() == 1


def test_repeated_wrong_passwords_pause_sign_in_with_an_explanation(page, staff, screenshot):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, "staff", "not-the-password")
    assert page.get_by_role("heading", name="Sign-in paused").is_visible()
    assert "15 min" in page.get_by_role("alert").inner_text()
    screenshot(page, "sign-in-paused")
