"""The review page in Chromium, as a facilitator in a hurry uses it: a repeated "Create review"
lands on the review already made, the header keeps the state and the next step in view, findings
and participants are corrected in place, and a phone shows it all without sideways scrolling."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews import services
from reviews.models import Finding, OwnershipRole, Review
from tests.factories import UserFactory, make_review
from tests.test_browser import sign_in

pytestmark = pytest.mark.browser


def as_input(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_back_and_create_again_lands_on_the_review_already_made(page, facilitator, password, screenshot):
    sign_in(page, "facilitator", password)
    page.goto("/reviews/new/")
    page.get_by_label("Title").fill("Invoices sent twice to Contoso")
    page.get_by_label("Customer / account").fill("Contoso")
    page.get_by_label("Severity").select_option("sev2")
    page.get_by_label("Escalated", exact=True).fill(as_input(timezone.now() - timedelta(hours=5)))
    page.get_by_role("button", name="Create review").click()
    page.get_by_text("Review created as a draft").wait_for()
    first_url = page.url

    page.go_back()  # the filled-in form again, as the browser kept it
    page.get_by_role("button", name="Create review").wait_for()
    if not page.get_by_label("Title").input_value():  # a browser that did not keep the form: fill it again
        page.get_by_label("Title").fill("Invoices sent twice to Contoso")
        page.get_by_label("Customer / account").fill("Contoso")
        page.get_by_label("Escalated", exact=True).fill(as_input(timezone.now() - timedelta(hours=5)))
    page.get_by_role("button", name="Create review").click()
    page.wait_for_load_state()
    assert Review.objects.count() == 1, "a second draft was created"
    assert page.url == first_url or Review.objects.get().get_absolute_url() in page.url


def test_the_header_stays_in_view_with_the_next_step(page, facilitator, staff, password, screenshot):
    review = make_review(facilitator, narrative="The handover was not written down.")
    incident = review.incident
    services.role_assign(
        facilitator, incident, role=OwnershipRole.INVESTIGATION_LEAD, person=staff, started_at=incident.escalated_at
    )
    for minute in range(12):
        services.timeline_entry_add(
            facilitator, incident, at=incident.escalated_at + timedelta(minutes=minute), what=f"Step {minute}"
        )
    sign_in(page, "facilitator", password)
    page.goto(review.get_absolute_url())
    head = page.locator("header.review-head")
    assert "Gap" in head.inner_text() and staff.get_full_name() in head.inner_text()
    assert head.locator(".next-step").inner_text().startswith("Next: Record who held the communications owner")
    page.locator("#actions").scroll_into_view_if_needed()
    box = head.bounding_box()
    assert box is not None and -1 <= box["y"] <= 1, box  # stuck to the top while scrolled
    assert head.get_by_role("link", name="Timeline").is_visible()
    screenshot(page, "review-sticky-header")

    head.locator(".next-step a").click()
    page.get_by_label("Role", exact=True).wait_for()  # the role form, open where the work is


def test_a_finding_and_a_participant_are_corrected_from_the_review_page(page, facilitator, staff, password, screenshot):
    review = make_review(facilitator)
    finding = services.finding_add(facilitator, review, text="The update was late")
    invited = UserFactory(username="wrong", first_name="Wrong", last_name="Person")
    services.participant_invite(facilitator, review, invitee=invited)
    sign_in(page, "facilitator", password)
    page.goto(review.get_absolute_url())

    page.get_by_role("link", name="Reword or remove finding 1").click()
    page.get_by_label("Finding").fill("The first customer update came 40 minutes after the target")
    screenshot(page, "finding-correct")
    page.get_by_role("button", name="Save the finding").click()
    page.get_by_text("Finding reworded.").wait_for()
    assert Finding.objects.get(pk=finding.pk).text.startswith("The first customer update came 40")

    page.get_by_text("Remove…").click()
    page.get_by_role("button", name="Remove Wrong Person").click()
    page.get_by_text("Wrong Person is no longer a participant.").wait_for()
    assert not review.participants.exists()


def test_the_review_page_on_a_phone_has_no_sideways_scroll(
    browser, live_server, facilitator, staff, password, screenshot
):
    review = make_review(facilitator, narrative="The handover was not written down.")
    incident = review.incident
    for role in (OwnershipRole.INVESTIGATION_LEAD, OwnershipRole.COMMUNICATIONS_OWNER):
        services.role_assign(
            facilitator,
            incident,
            role=role,
            person=staff,
            started_at=incident.escalated_at,
            handover_note="Passed on with the open questions and the customer's contact",
        )
    services.finding_add(facilitator, review, text="Nobody owned the decision to roll back for 40 minutes")
    services.action_item_add(
        facilitator,
        review,
        title="Name a decision owner in the first 15 minutes of every sev1",
        owner=staff,
        due_on=timezone.localdate() + timedelta(days=10),
    )
    services.participant_invite(facilitator, review, invitee=staff)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, "facilitator", password)
        page.goto(review.get_absolute_url())
        page.get_by_role("heading", name="Who owned what").wait_for()
        screenshot(page, "review-phone")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert no_sideways_scroll(page), f"the page is {width} px wide on a 390 px phone"
    finally:
        context.close()
