"""Two people editing the same thing over the API: ETag on reads, If-Match on
writes; the second save is told (412, with the saved values), never applied."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.roles import FACILITATORS
from playbook import services as playbook
from reviews import services as reviews
from reviews.models import Review
from tests.factories import UserFactory, make_review


@pytest.fixture
def two(facilitator):
    other = UserFactory(username="fran", first_name="Fran", roles=[FACILITATORS])
    first, second = APIClient(), APIClient()
    first.force_authenticate(facilitator)
    second.force_authenticate(other)
    return first, second


def test_two_people_edit_a_review_narrative(two, facilitator):
    review = make_review(facilitator)
    a, b = two
    url = f"/api/reviews/{review.pk}/"
    etag_a = a.get(url)["ETag"]
    etag_b = b.get(url)["ETag"]
    assert etag_a == etag_b == f'"{review.version}"'

    saved = a.patch(url, {"narrative": "A's account."}, HTTP_IF_MATCH=etag_a)
    assert saved.status_code == 200, saved.content
    assert saved["ETag"] == f'"{review.version + 1}"'

    late = b.patch(url, {"narrative": "B's account."}, HTTP_IF_MATCH=etag_b)
    assert late.status_code == 412
    body = late.json()
    assert "Someone else saved" in body["detail"]
    assert body["current"]["narrative"] == "A's account." and body["current"]["version"] == review.version + 1
    assert Review.objects.get(pk=review.pk).narrative == "A's account."  # the first save is kept

    retried = b.patch(url, {"narrative": "B's account."}, HTTP_IF_MATCH=late.json()["current"]["version"].__str__())
    assert retried.status_code == 200 and Review.objects.get(pk=review.pk).narrative == "B's account."


def test_a_stale_version_in_the_body_is_a_409(two, facilitator):
    review = make_review(facilitator)
    a, b = two
    url = f"/api/reviews/{review.pk}/"
    assert a.patch(url, {"narrative": "One", "version": review.version}).status_code == 200
    late = b.patch(url, {"narrative": "Two", "version": review.version})
    assert late.status_code == 409 and late.json()["current"]["narrative"] == "One"


@pytest.mark.parametrize(
    ("header", "body", "field"),
    [("soon", {}, "If-Match"), ('"²"', {}, "If-Match"), ('"١"', {}, "If-Match"), ('"1"', {"version": 2}, "version")],
)
def test_a_malformed_or_contradicting_if_match_is_a_400(two, facilitator, header, body, field):
    review = make_review(facilitator)
    response = two[0].patch(f"/api/reviews/{review.pk}/", {"narrative": "x"} | body, HTTP_IF_MATCH=header)
    assert response.status_code == 400 and field in response.json()


def test_weak_etags_are_accepted(two, facilitator):
    review = make_review(facilitator)
    response = two[0].patch(f"/api/reviews/{review.pk}/", {"narrative": "x"}, HTTP_IF_MATCH=f'W/"{review.version}"')
    assert response.status_code == 200


def test_incident_edits(two, facilitator):
    review = make_review(facilitator)
    a, b = two
    url = f"/api/incidents/{review.incident.pk}/"
    etag = a.get(url)["ETag"]
    assert a.patch(url, {"customer": "Globex"}, HTTP_IF_MATCH=etag).status_code == 200
    late = b.patch(url, {"customer": "Initech"}, HTTP_IF_MATCH=etag)
    assert late.status_code == 412 and late.json()["current"]["customer"] == "Globex"


def test_action_item_state(two, facilitator, staff):
    review = make_review(facilitator)
    item = reviews.action_item_add(
        facilitator, review, title="Route pages", owner=staff, due_on=timezone.localdate() + timezone.timedelta(5)
    )
    a, b = two
    etag = a.get(f"/api/action-items/{item.pk}/")["ETag"]
    url = f"/api/action-items/{item.pk}/state/"
    assert a.post(url, {"state": "done"}, HTTP_IF_MATCH=etag).status_code == 200
    late = b.post(url, {"state": "dropped", "dropped_reason": "Not needed"}, HTTP_IF_MATCH=etag)
    assert late.status_code == 412 and late.json()["current"]["state"] == "done"


def test_revision_edits(staff):
    revision = playbook.revision_create(
        staff,
        content={"pattern": "Payment outage", "target_first_update_minutes": 30},
        rationale="First",
        new_slug="payments",
        new_owner=staff,
    )
    a, b = APIClient(), APIClient()
    a.force_authenticate(staff)
    b.force_authenticate(staff)  # the author in two browser tabs
    url = f"/api/playbook/revisions/{revision.pk}/"
    etag = a.get(url)["ETag"]
    assert a.patch(url, {"target_first_update_minutes": 20}, HTTP_IF_MATCH=etag).status_code == 200
    late = b.patch(url, {"target_first_update_minutes": 45}, HTTP_IF_MATCH=etag)
    assert late.status_code == 412
    revision.refresh_from_db()
    assert revision.target_first_update_minutes == 20
