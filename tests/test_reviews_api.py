"""The reviews API per role: the same rules and errors as the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reviews import services
from tests.factories import UserFactory, make_review

SIX = [{"dimension": d, "score": 4, "evidence": "seen"} for d in range(1, 7)]


@pytest.fixture
def api():
    return APIClient()


def iso(dt):
    return dt.isoformat()


def test_create_per_role_and_bad_input(api, facilitator, staff, governance):
    escalated = timezone.now() - timedelta(hours=5)
    payload = {"title": "Declines", "customer": "Acme", "severity": "sev1", "escalated_at": iso(escalated)}
    for user in (staff, governance):
        api.force_authenticate(user)
        assert api.post("/api/reviews/", payload).status_code == 403
    api.force_authenticate(facilitator)
    response = api.post("/api/reviews/", payload)
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "draft" and body["incident"]["title"] == "Declines"
    assert [m["key"] for m in body["metrics"]] == [
        "time_to_ownership",
        "time_to_first_update",
        "time_to_resolution",
        "satisfaction",
    ]
    assert [r["gap"] for r in body["ownership"]] == [True] * 5
    bad = api.post("/api/reviews/", payload | {"resolved_at": iso(escalated - timedelta(hours=1)), "satisfaction": 9})
    assert bad.status_code == 400 and "satisfaction" in bad.json()
    bad = api.post("/api/reviews/", payload | {"resolved_at": iso(escalated - timedelta(hours=1))})
    assert bad.status_code == 400 and "resolved_at" in bad.json()
    assert api.post("/api/reviews/", {"severity": "sev9"}).status_code == 400


def test_drafts_are_404_for_staff_and_published_ones_readable(api, facilitator, staff):
    review = make_review(facilitator)
    participant = UserFactory()
    services.participant_invite(facilitator, review, invitee=participant)
    api.force_authenticate(staff)
    assert api.get(f"/api/reviews/{review.pk}/").status_code == 404
    assert api.get("/api/reviews/").json()["count"] == 0
    assert api.get(f"/api/role-assignments/?incident={review.incident.pk}").json()["count"] == 0
    assert api.post(f"/api/reviews/{review.pk}/start/").status_code == 404
    api.force_authenticate(participant)
    assert api.get(f"/api/reviews/{review.pk}/").status_code == 200
    assert api.post(f"/api/reviews/{review.pk}/start/").status_code == 403


def test_the_whole_flow_through_the_api(api, facilitator):
    review = make_review(facilitator)
    pat = UserFactory(username="pat")
    api.force_authenticate(facilitator)
    assert api.post(f"/api/reviews/{review.pk}/start/").status_code == 400  # no participant yet
    assert api.post(f"/api/reviews/{review.pk}/invite/", {"user": pat.pk}).status_code == 201
    assert api.post(f"/api/reviews/{review.pk}/invite/", {"user": pat.pk}).status_code == 400
    assert api.post(f"/api/reviews/{review.pk}/start/").json()["state"] == "in_review"

    api.force_authenticate(pat)
    assert api.get(f"/api/reviews/{review.pk}/").json()["consolidation"] is None  # blind until submitted
    response = api.post(f"/api/reviews/{review.pk}/scores/", {"scores": SIX[:2], "submit": True})
    assert response.status_code == 400 and "score_3" in response.json()
    bad = [{"dimension": 1, "score": 6, "evidence": ""}]
    assert api.post(f"/api/reviews/{review.pk}/scores/", {"scores": bad}).status_code == 400
    assert api.post(f"/api/reviews/{review.pk}/scores/", {"scores": SIX, "submit": True}).json()["submit"] is True
    assert api.get(f"/api/reviews/{review.pk}/").json()["consolidation"]["overall"] == 75.0

    api.force_authenticate(facilitator)
    assert api.post(f"/api/reviews/{review.pk}/publish/").status_code == 400  # no narrative
    version = api.get(f"/api/reviews/{review.pk}/").json()["version"]
    assert api.patch(f"/api/reviews/{review.pk}/", {"narrative": "What happened."}).status_code == 400  # no version
    assert (
        api.patch(f"/api/reviews/{review.pk}/", {"narrative": "What happened.", "version": version}).status_code == 200
    )
    stale = api.patch(f"/api/reviews/{review.pk}/", {"narrative": "Overwrite", "version": version})
    assert stale.status_code == 409 and stale.json()["current"]["narrative"] == "What happened."
    assert api.post(f"/api/reviews/{review.pk}/publish/").json()["state"] == "published"
    assert api.post(f"/api/reviews/{review.pk}/amend/", {"narrative": "Better.", "reason": ""}).status_code == 400
    amended = api.post(f"/api/reviews/{review.pk}/amend/", {"narrative": "Better.", "reason": "Clearer"})
    assert amended.json()["state"] == "amended"


def test_roles_timeline_and_incident_updates(api, facilitator, staff):
    review = make_review(facilitator)
    incident = review.incident
    api.force_authenticate(facilitator)
    start = incident.escalated_at + timedelta(minutes=10)
    payload = {"incident": incident.pk, "role": "decision_owner", "person": staff.pk, "started_at": iso(start)}
    assert api.post("/api/role-assignments/", payload).status_code == 201
    handover = payload | {"person": facilitator.pk, "started_at": iso(start + timedelta(minutes=30))}
    assert api.post("/api/role-assignments/", handover).status_code == 201
    history = api.get(f"/api/reviews/{review.pk}/").json()["ownership"][2]["history"]
    assert history[0]["ended_at"] is not None and history[1]["ended_at"] is None
    early = payload | {"started_at": iso(incident.escalated_at - timedelta(minutes=1))}
    assert "started_at" in api.post("/api/role-assignments/", early).json()

    future = {"incident": incident.pk, "at": iso(timezone.now() + timedelta(days=1)), "kind": "note", "what": "x"}
    assert api.post("/api/timeline-entries/", future).status_code == 400
    entry = api.post("/api/timeline-entries/", future | {"at": iso(start)}).json()
    assert api.delete(f"/api/timeline-entries/{entry['id']}/").status_code == 204

    url = f"/api/incidents/{incident.pk}/"
    assert api.patch(url, {"title": "Renamed"}).status_code == 400  # version needed
    assert api.patch(url, {"title": "Renamed", "version": 1}).status_code == 200  # role changes do not conflict
    assert api.patch(url, {"title": "Again", "version": 1}).status_code == 409

    api.force_authenticate(staff)
    assert (
        api.post("/api/role-assignments/", payload).status_code == 403
    )  # staff may not create: refused before the parent is looked up


def test_action_items_per_role(api, facilitator, staff, governance):
    review = make_review(facilitator)
    api.force_authenticate(facilitator)
    payload = {
        "review": review.pk,
        "title": "Chain check",
        "owner": staff.pk,
        "due_on": str(timezone.localdate()),
        "kind": "monitoring",
    }
    item = api.post("/api/action-items/", payload).json()
    services.participant_invite(facilitator, review, invitee=staff)
    services.participant_invite(facilitator, review, invitee=governance)
    api.force_authenticate(governance)
    assert api.post(f"/api/action-items/{item['id']}/state/", {"state": "done"}).status_code == 403
    api.force_authenticate(staff)
    assert api.get(f"/api/action-items/?owner={staff.pk}&state=open").json()["count"] == 1
    assert api.post(f"/api/action-items/{item['id']}/state/", {"state": "dropped"}).status_code == 400
    done = api.post(f"/api/action-items/{item['id']}/state/", {"state": "done", "version": 1})
    assert done.status_code == 200 and done.json()["state"] == "done"
    assert api.post(f"/api/action-items/{item['id']}/state/", {"state": "open", "version": 1}).status_code == 409


def test_language_check_endpoint(api, staff):
    api.force_authenticate(staff)
    hits = api.post("/api/language-check/", {"text": "We should have paged the lead"}).json()["hits"]
    assert hits[0]["rule"] == "should-have" and hits[0]["phrase"] == "should have"
    assert api.post("/api/language-check/", {"text": ""}).json() == {"hits": []}
    assert api.post("/api/language-check/", {"text": "x" * 100_001}).status_code == 400


def test_review_list_and_detail_query_counts(api, facilitator, django_assert_max_num_queries):
    api.force_authenticate(facilitator)
    reviews = [make_review(facilitator, title=f"R{i}") for i in range(2)]
    for review in reviews:  # one of everything, so every prefetch runs in the small case too
        services.participant_invite(facilitator, review, invitee=UserFactory())
        services.timeline_entry_add(
            facilitator, review.incident, at=review.incident.escalated_at, kind="note", what="x"
        )
    with django_assert_max_num_queries(20) as few:
        api.get("/api/reviews/")
    with django_assert_max_num_queries(40) as few_detail:
        api.get(f"/api/reviews/{reviews[1].pk}/")
    for i in range(12):
        make_review(facilitator, title=f"More {i}")
    target = reviews[1]
    for i in range(8):
        person = UserFactory()
        services.participant_invite(facilitator, target, invitee=person)
        services.timeline_entry_add(
            facilitator, target.incident, at=target.incident.escalated_at, kind="note", what=f"{i}"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get("/api/reviews/").json()["count"] == 14
    with django_assert_max_num_queries(len(few_detail.captured_queries)):
        api.get(f"/api/reviews/{target.pk}/")


def test_filters_do_not_reveal_whether_a_hidden_review_exists(api, facilitator, staff):
    hidden = make_review(facilitator)
    services.finding_add(facilitator, hidden, text="secret")
    api.force_authenticate(staff)
    for param in (hidden.pk, 999_999):
        for path in ("/api/findings/", "/api/action-items/"):
            response = api.get(f"{path}?review={param}")
            assert response.status_code == 200 and response.json()["count"] == 0
        response = api.get(f"/api/role-assignments/?incident={param}")
        assert response.status_code == 200 and response.json()["count"] == 0
