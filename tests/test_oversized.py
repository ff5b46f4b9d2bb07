"""Oversized requests get a clear 413 or 400, quickly, and leave what was saved alone.

A 10 MB narrative and 10,000 timeline entries in one request, through the API (JSON
and form-encoded) and through the pages' forms.
"""

import json
import time
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from reviews.models import Review, TimelineEntry
from tests.factories import make_review

TEN_MB = "x" * (10 * 1024 * 1024)
ENTRIES = 10_000


@pytest.fixture
def review(facilitator):
    return make_review(facilitator, narrative="The saved narrative.")


@pytest.fixture
def signed_in(client, facilitator):
    client.force_login(facilitator)
    return client


@pytest.fixture
def quickly():
    started = time.monotonic()
    yield
    assert time.monotonic() - started < 10


def saved(review):
    review.refresh_from_db()
    review.incident.refresh_from_db()
    return (
        review.narrative,
        review.version,
        review.incident.version,
        TimelineEntry.objects.filter(incident=review.incident).count(),
    )


def entry(review, n):
    at = (timezone.now() - timezone.timedelta(minutes=n % 600 + 1)).isoformat()
    return {"incident": review.incident_id, "at": at, "kind": "note", "what": f"Entry {n}"}


# The API ---------------------------------------------------------------------------------------


def test_api_create_with_a_10_mb_narrative_is_413(signed_in, quickly):
    body = {"title": "Outage", "customer": "Acme", "severity": "sev1", "escalated_at": "2026-01-05T10:00:00Z"}
    response = signed_in.post("/api/reviews/", {**body, "narrative": TEN_MB}, content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert not Review.objects.exists()


def test_api_update_with_a_10_mb_narrative_is_413_and_keeps_the_saved_text(signed_in, review, quickly):
    before = saved(review)
    response = signed_in.patch(
        f"/api/reviews/{review.pk}/",
        {"narrative": TEN_MB, "version": review.version},
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["detail"]
    assert saved(review) == before


def test_api_narrative_under_the_size_limit_but_over_the_field_limit_is_a_400_field_error(signed_in, review, quickly):
    before = saved(review)
    response = signed_in.patch(
        f"/api/reviews/{review.pk}/",
        {"narrative": "x" * 1_000_000, "version": review.version},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "no more than 100000 characters" in response.json()["narrative"][0]
    assert saved(review) == before


def test_api_timeline_takes_one_entry_per_request_a_list_of_10000_is_a_400(signed_in, review, quickly):
    before = saved(review)
    body = json.dumps([entry(review, n) for n in range(ENTRIES)])
    assert len(body) < 2.5 * 1024 * 1024  # under the size limit: the serializer answers
    response = signed_in.post("/api/timeline-entries/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}
    assert saved(review) == before


def test_api_form_encoded_with_10000_entries_is_a_400(signed_in, review, quickly):
    before = saved(review)
    fields = [(key, value) for n in range(ENTRIES) for key, value in entry(review, n).items()]
    response = signed_in.post(
        "/api/timeline-entries/", urlencode(fields), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "too many fields" in response.json()["detail"]
    assert saved(review) == before


def test_api_form_encoded_patch_with_too_many_fields_is_a_400(signed_in, review, quickly):
    before = saved(review)
    fields = [("title", f"Title {n}") for n in range(ENTRIES)] + [("version", review.incident.version)]
    response = signed_in.patch(
        f"/api/incidents/{review.incident_id}/", urlencode(fields), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "too many fields" in response.json()["detail"]
    assert saved(review) == before


# The pages -------------------------------------------------------------------------------------


def edit_form(review, **changes):
    incident = review.incident
    return {
        "title": incident.title,
        "customer": incident.customer,
        "severity": incident.severity,
        "escalated_at": timezone.localtime(incident.escalated_at).strftime("%Y-%m-%dT%H:%M"),
        "narrative": review.narrative,
        "version": incident.version,
        "review_version": review.version,
    } | changes


def test_page_edit_with_a_10_mb_narrative_is_413_with_a_message(signed_in, review, quickly):
    before = saved(review)
    response = signed_in.post(f"/reviews/{review.pk}/edit/", edit_form(review, narrative=TEN_MB))
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Not saved" in page and "The request is too large" in page
    assert saved(review) == before


def test_page_narrative_under_the_size_limit_but_over_the_field_limit_is_a_form_error(signed_in, review, quickly):
    before = saved(review)
    response = signed_in.post(f"/reviews/{review.pk}/edit/", edit_form(review, narrative="x" * 1_000_000))
    assert response.status_code == 400
    assert "at most 100000 characters" in response.content.decode()
    assert saved(review) == before


def test_page_timeline_with_10000_entries_is_a_400_with_a_message(signed_in, review, quickly):
    before = saved(review)
    fields = [
        (f"entry-{key}", value) for n in range(ENTRIES) for key, value in entry(review, n).items() if key != "incident"
    ]
    response = signed_in.post(
        f"/reviews/{review.pk}/timeline/", urlencode(fields), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "The request has too many fields" in response.content.decode()
    assert saved(review) == before


def test_a_normal_edit_still_saves(signed_in, review):
    response = signed_in.post(f"/reviews/{review.pk}/edit/", edit_form(review, narrative="The new narrative."))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.narrative == "The new narrative."
    assert not TimelineEntry.objects.exists()
