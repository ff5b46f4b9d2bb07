"""Reviews are never deleted through the site: archiving takes one out of the lists and the
figures, keeps it readable at its address with the reason, and restoring brings it back."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from core.models import AuditEvent
from insights import figures as insights
from insights.figures import ORGANISATION as ORG
from reviews import services
from reviews.models import Review
from tests.factories import make_review
from tests.test_browser import sign_in
from tests.test_review_pages import published


def test_archiving_needs_a_facilitator_and_a_reason(facilitator, staff):
    review = make_review(facilitator)
    with pytest.raises(PermissionDenied):
        services.review_archive(staff, review, reason="Duplicate")
    with pytest.raises(ValidationError) as error:
        services.review_archive(facilitator, review, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError, match="2,000"):
        services.review_archive(facilitator, review, reason="x" * 2001)
    assert not Review.objects.get(pk=review.pk).is_archived
    services.review_archive(facilitator, review, reason="Duplicate of the Acme review")
    review.refresh_from_db()
    assert review.is_archived and review.archived_by == facilitator
    assert AuditEvent.objects.get(action="review.archived").note == "Duplicate of the Acme review"
    with pytest.raises(ValidationError):
        services.review_archive(facilitator, review, reason="again")


def test_an_archived_review_is_read_only_until_restored(facilitator):
    review = make_review(facilitator)
    services.review_archive(facilitator, review, reason="A test")
    review.refresh_from_db()
    with pytest.raises(ValidationError, match="archived"):
        services.review_update(facilitator, review, version=review.version, narrative="x")
    with pytest.raises(ValidationError, match="archived"):
        services.finding_add(facilitator, review, text="x")
    services.review_restore(facilitator, review)
    review.refresh_from_db()
    assert not review.is_archived and review.archive_reason == ""
    services.review_update(facilitator, review, version=review.version, narrative="Back")
    assert [e.action for e in AuditEvent.objects.filter(subject_type="review").order_by("pk")][-3:] == [
        "review.archived",
        "review.restored",
        "review.edited",
    ]


def test_archived_reviews_leave_the_list_and_the_figures_but_stay_readable(client, facilitator, staff):
    kept = published(facilitator, title="Kept one")
    gone = published(facilitator, title="Duplicate one")
    period = insights.Period.containing(gone.incident.escalated_at.date())
    assert insights.overall(period, viewer=ORG)["incidents"] == 2
    services.review_archive(facilitator, gone, reason="Duplicate of “Kept one”")

    assert insights.overall(period, viewer=ORG)["incidents"] == 1
    client.force_login(staff)
    page = client.get("/reviews/").content.decode()
    assert "Kept one" in page and "Duplicate one" not in page
    archived = client.get("/reviews/?archived=yes").content.decode()
    assert "Duplicate one" in archived and "Kept one" not in archived and ">Archived</span>" in archived
    detail = client.get(gone.get_absolute_url())
    assert detail.status_code == 200 and "Archived" in detail.content.decode()
    assert "Duplicate of “Kept one”" in detail.content.decode()

    api = APIClient()
    api.force_authenticate(staff)
    assert [r["id"] for r in api.get("/api/reviews/").json()["results"]] == [kept.pk]
    assert [r["id"] for r in api.get("/api/reviews/?archived=yes").json()["results"]] == [gone.pk]
    assert api.get(f"/api/reviews/{gone.pk}/").json()["archive_reason"] == "Duplicate of “Kept one”"


def test_the_api_archives_and_restores(facilitator, staff):
    review = make_review(facilitator)
    api = APIClient()
    api.force_authenticate(staff)
    assert api.post(f"/api/reviews/{review.pk}/archive/", {"reason": "x"}).status_code == 404  # a hidden draft
    api.force_authenticate(facilitator)
    assert api.post(f"/api/reviews/{review.pk}/archive/", {}).json() == {"reason": ["This field is required."]}
    response = api.post(f"/api/reviews/{review.pk}/archive/", {"reason": "Created by mistake"})
    assert response.status_code == 200 and response.json()["archived_at"]
    assert api.post(f"/api/reviews/{review.pk}/restore/").status_code == 200
    assert Review.objects.get(pk=review.pk).archived_at is None


@pytest.mark.browser
def test_a_facilitator_archives_a_review_from_its_page(page, facilitator, password, screenshot):
    review = published(facilitator, title="Checkout failing (duplicate)")
    sign_in(page, "facilitator", password)
    page.goto(review.get_absolute_url())
    page.get_by_text("Archive…").click()
    page.get_by_role("button", name="Archive review").click()  # no reason yet: the browser asks for one
    assert Review.objects.get(pk=review.pk).archived_at is None
    page.get_by_label("Why archive it?").fill("Duplicate of the Acme checkout review")
    page.get_by_role("button", name="Archive review").click()
    status = page.locator(".notice.archived")
    assert "Archived" in status.inner_text() and "Duplicate of the Acme checkout review" in status.inner_text()
    screenshot(page, "review-archived")
    page.goto("/reviews/")
    assert "Checkout failing (duplicate)" not in page.locator("main").inner_text()
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Archived").select_option(label="Archived only")
    page.get_by_role("button", name="Apply filters").click()
    assert page.get_by_role("link", name="Checkout failing (duplicate)").is_visible()
    screenshot(page, "review-list-archived")
    page.get_by_role("link", name="Checkout failing (duplicate)").click()
    page.get_by_role("button", name="Restore").click()
    assert Review.objects.get(pk=review.pk).archived_at is None
