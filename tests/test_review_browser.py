"""The whole review journey in Chromium: a facilitator and two participants."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.roles import FACILITATORS
from reviews.models import Review, ReviewState
from tests.factories import TeamFactory, UserFactory
from tests.test_browser import sign_in

pytestmark = pytest.mark.browser


def as_input(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def person_context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_facilitator_and_two_participants_run_a_review(browser, live_server, password, screenshot):
    UserFactory(username="fiona", first_name="Fiona", last_name="Facilitator", roles=[FACILITATORS])
    priya = UserFactory(username="priya", first_name="Priya", last_name="Raman")
    tom = UserFactory(username="tom", first_name="Tom", last_name="Okafor")
    TeamFactory(name="Payments Platform", slug="payments")
    escalated = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=6)

    context, page = person_context(browser, live_server)
    try:
        sign_in(page, "fiona", password)
        page.get_by_role("link", name="Reviews", exact=True).click()
        page.get_by_role("link", name="New review").click()

        # A mistake first: the form says what is wrong, on the field.
        page.get_by_label("Title").fill("Card payments declined for Northwind")
        page.get_by_role("button", name="Create review").click()
        assert page.locator(".field.has-error").count() >= 2
        screenshot(page, "review-create-errors")

        page.get_by_label("Customer / account").fill("Northwind Traders")
        page.get_by_label("Severity").select_option("sev1")
        page.get_by_label("Team").select_option(label="Payments Platform")
        page.get_by_label("Escalated", exact=True).fill(as_input(escalated))
        page.get_by_label("First customer update").fill(as_input(escalated + timedelta(minutes=38)))
        page.get_by_label("Customer resolution confirmed").fill(as_input(escalated + timedelta(hours=3)))
        page.get_by_role("button", name="Create review").click()
        page.get_by_text("Review created as a draft").wait_for()
        review = Review.objects.get()

        # Who owned what: the three core roles. The form is open where the work is, and stays
        # open after each one.
        assert page.locator("#ownership-h").is_visible() and page.locator("header.review-head").is_visible()
        assert page.locator(".next-step").inner_text().startswith("Next: Record who held the investigation lead")
        for role, person, minutes in [
            ("Investigation lead", "Priya Raman", 9),
            ("Communications owner", "Tom Okafor", 12),
            ("Decision owner", "Fiona Facilitator", 25),
        ]:
            assert page.get_by_label("Role", exact=True).is_visible()
            page.get_by_label("Role", exact=True).select_option(label=role)
            page.get_by_label("Person").select_option(label=person)
            page.get_by_label("From", exact=True).fill(as_input(escalated + timedelta(minutes=minutes)))
            page.get_by_role("button", name="Record", exact=True).click()
            page.get_by_text("Role assignment recorded.").wait_for()
        assert page.locator("#metrics").get_by_text("25 min").is_visible()  # time to ownership, derived

        page.get_by_text("Add a timeline entry").click()
        page.get_by_label("When").fill(as_input(escalated + timedelta(minutes=30)))
        page.locator("#id_entry-kind").select_option("decision")
        page.get_by_label("What happened").fill("Roll back the certificate rotation.")
        page.get_by_role("button", name="Add entry").click()
        page.get_by_text("Timeline entry added.").wait_for()

        for name in ("Priya Raman", "Tom Okafor"):
            page.get_by_label("Invite a participant").select_option(label=name)
            page.get_by_role("button", name="Invite").click()
            page.get_by_text("Participant invited.").wait_for()
        page.get_by_role("button", name="Start review").click()
        page.get_by_text("participants can now score it").wait_for()
        screenshot(page, "review-facilitator-in-review")

        # Two participants score on their own.
        for user, values in ((priya, [5, 4, 4, 3, 5, 4]), (tom, [2, 4, 3, 1, 5, 4])):
            other_context, other = person_context(browser, live_server)
            try:
                sign_in(other, user.username, password)
                other.get_by_role("link", name=review.incident.title).click()
                assert other.get_by_text("Others' scores stay hidden until you submit yours.").is_visible()
                for dimension, value in enumerate(values, start=1):
                    other.locator(f"input[name=score_{dimension}][value='{value}']").check()
                other.locator("#id_evidence_4").fill("The handover note did not say when the next update was due.")
                if user == priya:
                    screenshot(other, "review-participant-scoring")
                other.get_by_role("button", name="Submit scores").click()
                other.get_by_text("Your scores are submitted.").wait_for()
                assert other.get_by_text("Overall ownership-clarity score").is_visible()
            finally:
                other_context.close()

        page.reload()
        rubric = page.locator("table.rubric")
        assert rubric.locator("tr.wide").count() == 2  # dimensions 1 and 4: spread 3 and 2
        assert page.get_by_text("Wide: people disagree").first.is_visible()

        # The narrative: blaming wording is flagged as you type, and saving still works.
        page.get_by_role("link", name="Edit incident & narrative").click()
        narrative = page.get_by_label("Narrative")
        narrative.fill("The rotation used a chain the acquirer did not trust. Tom should have paged the lead sooner.")
        hint = page.locator(".language-hits").filter(has_text="should have")
        hint.wait_for()
        screenshot(page, "review-language-check")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("blameless language check found").wait_for()
        page.get_by_text("Edit incident & narrative").click()
        page.get_by_label("Narrative").fill(
            "The rotation used a chain the acquirer did not trust. Paging the lead waited on a manual step."
        )
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Review saved.").wait_for()

        page.get_by_label("New finding").fill("The rotation runbook had no check of the acquirer's trusted chain.")
        page.get_by_role("button", name="Add finding").click()
        page.get_by_text("Finding recorded.").wait_for()
        assert page.locator("#id_action-title").is_visible()  # findings and no action item yet: open
        page.locator("#id_action-title").fill("Add a chain check to the rotation runbook")
        page.locator("#id_action-owner").select_option(label="Priya Raman")
        page.locator("#id_action-due_on").fill((timezone.localdate() + timedelta(days=14)).isoformat())
        page.locator("#id_action-kind").select_option("incident_template")
        page.get_by_role("button", name="Add action item").click()
        page.get_by_text("Action item created.").wait_for()

        page.get_by_role("link", name="Publish…").click()
        page.get_by_role("heading", name="Publish this review?").wait_for()
        assert page.get_by_text("2 of 2 participants submitted").is_visible()
        assert page.get_by_text("Add a chain check to the rotation runbook").is_visible()  # still open
        screenshot(page, "review-publish-confirm")
        page.get_by_role("button", name="Publish anyway").click()
        page.get_by_text("Published. The review is now readable by everyone.").wait_for()
        screenshot(page, "review-published")
        review.refresh_from_db()
        assert review.state == ReviewState.PUBLISHED
        assert review.clarity_score is not None
    finally:
        context.close()


def test_a_facilitator_ends_a_role_nobody_took_over(browser, live_server, password, screenshot):
    from reviews import services

    fiona = UserFactory(username="fiona", first_name="Fiona", last_name="Facilitator", roles=[FACILITATORS])
    priya = UserFactory(username="priya", first_name="Priya", last_name="Raman")
    escalated = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=6)
    review = services.review_create(
        fiona, title="Export stuck for Northwind", customer="Northwind", escalated_at=escalated
    )
    services.role_assign(
        fiona, review.incident, role="communications_owner", person=priya, started_at=escalated + timedelta(minutes=12)
    )
    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            sign_in(page, "fiona", password)
            page.goto(f"/reviews/{review.pk}/#ownership")
            page.get_by_role("link", name="Correct, end or remove: Communications owner, Priya Raman").click()
            page.get_by_role("heading", name="Given up, with no successor").wait_for()
            screenshot(page, f"role-correct-{name}")
        finally:
            context.close()
    context, page = person_context(browser, live_server)
    try:
        sign_in(page, "fiona", password)
        page.goto(f"/reviews/{review.pk}/roles/{review.incident.assignments.get().pk}/")
        page.get_by_label("Gave the role up at").fill(as_input(escalated + timedelta(minutes=50)))
        page.get_by_role("button", name="End the role here").click()
        page.get_by_text("ended with no successor").wait_for()
        assert review.incident.assignments.get().ended_at == escalated + timedelta(minutes=50)
    finally:
        context.close()
