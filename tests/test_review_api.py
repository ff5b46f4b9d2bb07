"""The reviews API (reviews/api.py), per role: who sees what, who may do what,
and how bad input, stale versions and state rules are reported."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reviews import services
from reviews.models import ActionItem, Participant, Review, ReviewState, ReviewText, RoleAssignment, TimelineEntry
from tests.factories import TeamFactory, UserFactory, make_review

SIX = [{"dimension": d, "score": 4, "evidence": "seen in the log"} for d in range(1, 7)]
SIX_SERVICE = dict.fromkeys(range(1, 7), (4, "seen in the log"))
CORE = {"investigation_lead", "communications_owner", "decision_owner"}


# Helpers ---------------------------------------------------------------------


@pytest.fixture
def participant(db):
    return UserFactory(username="pat", first_name="Pat", last_name="Participant")


@pytest.fixture
def review(facilitator):
    return make_review(facilitator)


def client_for(user, **kwargs):
    client = APIClient(**kwargs)
    client.force_authenticate(user)
    return client


def iso(moment):
    return moment.isoformat()


def parse(value):
    return datetime.fromisoformat(value)


def at(review, minutes):
    return review.incident.escalated_at + timedelta(minutes=minutes)


def url(review, action=""):
    return f"/api/reviews/{review.pk}/" + (f"{action}/" if action else "")


def started(facilitator, participant, **overrides):
    """A review in review, with ``participant`` invited."""
    review = make_review(facilitator, **overrides)
    services.participant_invite(facilitator, review, invitee=participant)
    return services.review_start(facilitator, review)


def published(facilitator, participant, narrative="The queue filled up and nobody was paged.", **overrides):
    review = started(facilitator, participant, **overrides)
    services.scores_save(participant, review, scores=SIX_SERVICE, submit=True)
    review = services.review_update(facilitator, review, version=review.version, narrative=narrative)
    return services.review_publish(facilitator, review)


def state_of(review):
    return Review.objects.get(pk=review.pk).state


def one_of_each_child(facilitator, review, owner):
    """A role assignment, a timeline entry, a finding and an action item on ``review``."""
    services.role_assign(
        facilitator, review.incident, role="investigation_lead", person=owner, started_at=at(review, 5)
    )
    services.timeline_entry_add(facilitator, review.incident, at=at(review, 1), kind="note", what="Paged the lead.")
    finding = services.finding_add(facilitator, review, text="Nobody held the decision role.")
    services.action_item_add(
        facilitator,
        review,
        title="Name a decision owner",
        owner=owner,
        due_on=timezone.localdate() + timedelta(days=7),
        kind="ownership_map",
        finding=finding,
    )


# Anonymous ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/reviews/"),
        ("post", "/api/reviews/"),
        ("get", "/api/reviews/{pk}/"),
        ("patch", "/api/reviews/{pk}/"),
        ("post", "/api/reviews/{pk}/start/"),
        ("post", "/api/reviews/{pk}/publish/"),
        ("post", "/api/reviews/{pk}/invite/"),
        ("get", "/api/reviews/{pk}/scores/"),
        ("post", "/api/reviews/{pk}/scores/"),
        ("get", "/api/incidents/"),
        ("get", "/api/incidents/{incident}/"),
        ("patch", "/api/incidents/{incident}/"),
        ("get", "/api/role-assignments/"),
        ("post", "/api/role-assignments/"),
        ("get", "/api/timeline-entries/"),
        ("get", "/api/findings/"),
        ("get", "/api/action-items/"),
        ("post", "/api/language-check/"),
        ("get", "/api/schema/?format=json"),
    ],
)
def test_anonymous_requests_are_401(api, facilitator, participant, method, path):
    review = published(facilitator, participant)
    response = getattr(api, method)(path.format(pk=review.pk, incident=review.incident.pk), {})
    assert response.status_code == 401, response.content
    assert "detail" in response.json()
    assert Review.objects.count() == 1
    assert state_of(review) == ReviewState.PUBLISHED


# Creating a review ---------------------------------------------------------------


def create_payload(**overrides):
    escalated = timezone.now().replace(microsecond=0) - timedelta(hours=5)
    payload = {
        "title": "Card payments failing for Acme",
        "customer": "Acme Corp",
        "severity": "sev1",
        "escalated_at": iso(escalated),
        "acknowledged_at": iso(escalated + timedelta(minutes=12)),
        "resolved_at": iso(escalated + timedelta(hours=3)),
        "satisfaction": 4,
        "narrative": "Declines began after a certificate rotation.",
    }
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not None}


@pytest.mark.parametrize("who", ["facilitator", "admin"])
def test_facilitators_and_admins_create_a_draft_review(request, api, who):
    user = request.getfixturevalue(who)
    api.force_authenticate(user)
    payload = create_payload()
    response = api.post("/api/reviews/", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft"
    assert body["version"] == 1
    assert body["is_exercise"] is False
    assert body["narrative"] == payload["narrative"]
    assert body["facilitator"] == {"id": user.pk, "username": user.username, "name": user.get_full_name()}
    incident = body["incident"]
    assert incident["title"] == payload["title"]
    assert incident["customer"] == "Acme Corp"
    assert incident["severity"] == "sev1"
    assert parse(incident["escalated_at"]) == parse(payload["escalated_at"])
    assert incident["version"] == 1
    metrics = {m["key"]: m for m in body["metrics"]}
    assert list(metrics) == ["time_to_ownership", "time_to_first_update", "time_to_resolution", "satisfaction"]
    assert metrics["time_to_resolution"]["seconds"] == 3 * 3600
    assert metrics["time_to_resolution"]["value"] == "3 h 00 min"
    assert metrics["time_to_ownership"]["value"] is None  # no roles held yet
    assert metrics["satisfaction"]["value"] == "4"
    assert [r["role"] for r in body["ownership"]] == [
        "investigation_lead",
        "communications_owner",
        "decision_owner",
        "customer_contact",
        "internal_liaison",
    ]
    assert all(r["gap"] and r["history"] == [] for r in body["ownership"])
    assert {r["role"] for r in body["ownership"] if r["core"]} == CORE
    assert body["consolidation"]["submitted"] == 0  # the facilitator always sees the consolidation
    assert body["language_hits"] == []
    review = Review.objects.get(pk=body["id"])
    assert review.facilitator == user and review.incident.created_by == user


def test_create_defaults_and_exercise_flag(api, facilitator):
    api.force_authenticate(facilitator)
    payload = {"title": "Drill", "customer": "Internal", "escalated_at": iso(timezone.now() - timedelta(hours=1))}
    body = api.post("/api/reviews/", payload | {"is_exercise": True}).json()
    assert body["is_exercise"] is True
    assert body["incident"]["severity"] == "sev2"  # the model's default
    assert body["narrative"] == ""


@pytest.mark.parametrize("who", ["staff", "governance"])
def test_staff_and_governance_cannot_create_reviews(request, api, who):
    api.force_authenticate(request.getfixturevalue(who))
    response = api.post("/api/reviews/", create_payload())
    assert response.status_code == 403
    assert not Review.objects.exists()


class Ago:
    """A moment ``hours`` before the test runs (resolved in the test, not at collection)."""

    def __init__(self, hours):
        self.hours = hours

    def resolve(self, now):
        return iso(now - timedelta(hours=self.hours))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"customer": None}, "customer"),
        ({"escalated_at": None}, "escalated_at"),
        ({"escalated_at": "not a date"}, "escalated_at"),
        ({"escalated_at": Ago(-24)}, "escalated_at"),
        ({"escalated_at": Ago(5), "resolved_at": Ago(6)}, "resolved_at"),
        ({"escalated_at": Ago(5), "acknowledged_at": Ago(7)}, "acknowledged_at"),
        ({"acknowledged_at": Ago(1), "resolved_at": Ago(2)}, "resolved_at"),
        ({"first_customer_update_at": Ago(1), "resolved_at": Ago(2)}, "first_customer_update_at"),
        ({"severity": "sev9"}, "severity"),
        ({"satisfaction": 9}, "satisfaction"),
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": "very"}, "satisfaction"),
        ({"team": "no-such-team"}, "team"),
        ({"playbook_section": 999999}, "playbook_section"),
        ({"narrative": "x" * 100_001}, "narrative"),
    ],
)
def test_create_with_bad_input_is_a_400_with_field_errors(api, facilitator, overrides, field):
    api.force_authenticate(facilitator)
    now = timezone.now().replace(microsecond=0)
    overrides = {key: value.resolve(now) if isinstance(value, Ago) else value for key, value in overrides.items()}
    response = api.post("/api/reviews/", create_payload(**overrides))
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("[]", "application/json"), ('"text"', "application/json"), ("{not json", "application/json"), ("", None)],
)
def test_create_with_garbage_bodies_is_a_400_not_a_500(facilitator, body, content_type):
    api = client_for(facilitator, raise_request_exception=False)
    response = api.generic("POST", "/api/reviews/", body, content_type=content_type or "application/json")
    assert response.status_code == 400, response.content
    assert not Review.objects.exists()


# Visibility ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "governance"])
def test_a_draft_is_404_for_people_who_are_not_participants(request, api, facilitator, participant, who):
    review = make_review(facilitator)
    services.participant_invite(facilitator, review, invitee=participant)
    one_of_each_child(facilitator, review, participant)
    incident = review.incident
    children = [
        f"/api/role-assignments/?incident={incident.pk}",
        f"/api/timeline-entries/?incident={incident.pk}",
        f"/api/findings/?review={review.pk}",
        f"/api/action-items/?review={review.pk}",
        "/api/role-assignments/",
        "/api/timeline-entries/",
        "/api/findings/",
        "/api/action-items/",
    ]
    # The facilitator sees one of each, so an empty list below means "hidden", not "missing".
    api.force_authenticate(facilitator)
    assert [len(api.get(path).json()["results"]) for path in children] == [1] * len(children)

    api.force_authenticate(request.getfixturevalue(who))
    for path in (url(review), url(review, "scores"), f"/api/incidents/{incident.pk}/"):
        response = api.get(path)
        assert response.status_code == 404, path  # not 403: its existence is not revealed
    assert api.get("/api/reviews/").json()["count"] == 0
    assert api.get("/api/incidents/").json()["count"] == 0
    assert [len(api.get(path).json()["results"]) for path in children] == [0] * len(children)
    item = ActionItem.objects.get()
    entry = TimelineEntry.objects.get()
    assignment = RoleAssignment.objects.get()
    assert api.get(f"/api/action-items/{item.pk}/").status_code == 404
    assert api.get(f"/api/timeline-entries/{entry.pk}/").status_code == 404
    assert api.get(f"/api/role-assignments/{assignment.pk}/").status_code == 404


def test_a_participant_sees_the_draft_and_its_records(api, facilitator, participant):
    review = make_review(facilitator, title="Seen by Pat")
    services.participant_invite(facilitator, review, invitee=participant)
    one_of_each_child(facilitator, review, participant)
    services.review_update(facilitator, review, version=1, narrative="The lead should have paged sooner.")
    make_review(facilitator, title="Not Pat's")
    api.force_authenticate(participant)
    response = api.get(url(review))
    assert response.status_code == 200
    body = response.json()
    assert body["incident"]["title"] == "Seen by Pat"
    assert body["ownership"][0]["history"][0]["person"]["id"] == participant.pk
    assert body["language_hits"] == []  # hints are for facilitators
    assert [r["incident"]["title"] for r in api.get("/api/reviews/").json()["results"]] == ["Seen by Pat"]
    assert api.get(f"/api/incidents/{review.incident.pk}/").status_code == 200
    for kind in ("role-assignments", "timeline-entries", "findings", "action-items"):
        assert len(api.get(f"/api/{kind}/").json()["results"]) == 1, kind
    api.force_authenticate(facilitator)
    hits = api.get(url(review)).json()["language_hits"]
    assert hits[0]["field"] == "narrative" and hits[0]["hits"][0]["rule"] == "should-have"


@pytest.mark.parametrize("who", ["staff", "governance", "facilitator", "admin", "participant"])
def test_a_published_review_is_visible_to_every_signed_in_person(request, api, facilitator, participant, who):
    review = published(facilitator, participant)
    api.force_authenticate(request.getfixturevalue(who))
    response = api.get(url(review))
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "published"
    assert body["published_at"] is not None
    assert body["clarity_score"] == 75.0
    assert body["consolidation"]["overall"] == 75.0  # public: everyone sees the numbers
    assert api.get("/api/reviews/").json()["count"] == 1
    assert api.get(f"/api/incidents/{review.incident.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("who", "count"),
    [("staff", 1), ("governance", 1), ("participant", 3), ("facilitator", 4), ("admin", 4)],
)
def test_review_list_counts_per_role(request, api, facilitator, participant, who, count):
    quinn = UserFactory(username="quinn")
    published(facilitator, quinn, title="Published")
    started(facilitator, participant, title="Pat scores this")
    make_review(facilitator, title="Nobody invited")
    invited = make_review(facilitator, title="Pat is invited to this draft")
    services.participant_invite(facilitator, invited, invitee=participant)
    api.force_authenticate(request.getfixturevalue(who))
    body = api.get("/api/reviews/").json()
    assert body["count"] == count
    titles = [r["incident"]["title"] for r in body["results"]]
    assert "Published" in titles
    assert ("Nobody invited" in titles) == (who in ("facilitator", "admin"))
    assert api.get("/api/reviews/?state=published").json()["count"] == 1
    assert api.get("/api/incidents/").json()["count"] == count


def test_review_list_filters_and_orders(api, facilitator):
    make_review(facilitator, title="Old", hours_ago=72, severity="sev1")
    make_review(facilitator, title="New", hours_ago=2, severity="sev3")
    api.force_authenticate(facilitator)
    assert [r["incident"]["title"] for r in api.get("/api/reviews/").json()["results"]] == ["New", "Old"]
    assert [r["incident"]["title"] for r in api.get("/api/reviews/?severity=sev1").json()["results"]] == ["Old"]
    assert [r["incident"]["title"] for r in api.get("/api/reviews/?q=old").json()["results"]] == ["Old"]
    assert api.get("/api/reviews/?state=nonsense").status_code == 400
    assert api.get("/api/reviews/abc/").status_code == 404
    assert api.get("/api/reviews/999999/").status_code == 404


# State actions -----------------------------------------------------------------------


def test_start_needs_a_participant(api, facilitator, participant, review):
    api.force_authenticate(facilitator)
    response = api.post(url(review, "start"))
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert state_of(review) == ReviewState.DRAFT
    services.participant_invite(facilitator, review, invitee=participant)
    response = api.post(url(review, "start"))
    assert response.status_code == 200
    assert response.json()["state"] == "in_review"
    assert response.json()["version"] == 2
    assert api.post(url(review, "start")).status_code == 400  # only a draft starts


def test_return_to_draft(api, facilitator, participant):
    review = started(facilitator, participant)
    api.force_authenticate(facilitator)
    response = api.post(url(review, "return-to-draft"))
    assert response.status_code == 200
    assert response.json()["state"] == "draft"
    assert state_of(review) == ReviewState.DRAFT
    response = api.post(url(review, "return-to-draft"))
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_publish_needs_a_submitted_participant_and_a_narrative(api, facilitator, participant, review):
    api.force_authenticate(facilitator)
    assert api.post(url(review, "publish")).status_code == 400  # a draft is not published
    services.participant_invite(facilitator, review, invitee=participant)
    services.review_start(facilitator, review)
    response = api.post(url(review, "publish"))
    assert response.status_code == 400  # nobody submitted yet
    assert "non_field_errors" in response.json()
    services.scores_save(participant, review, scores=SIX_SERVICE, submit=True)
    response = api.post(url(review, "publish"))
    assert response.status_code == 400
    assert "narrative" in response.json()
    assert state_of(review) == ReviewState.IN_REVIEW
    version = api.get(url(review)).json()["version"]
    assert api.patch(url(review), {"narrative": "What happened.", "version": version}).status_code == 200
    response = api.post(url(review, "publish"))
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "published"
    assert body["clarity_score"] == 75.0
    assert body["published_at"] is not None
    assert list(ReviewText.objects.filter(review=review).values_list("number", "narrative")) == [(1, "What happened.")]
    assert api.post(url(review, "publish")).status_code == 400  # only once


def test_amend_needs_a_reason_and_keeps_the_earlier_text(api, facilitator, participant):
    review = published(facilitator, participant, narrative="Original text.")
    api.force_authenticate(facilitator)
    for payload, field in [
        ({"narrative": "Amended text.", "reason": ""}, "reason"),
        ({"narrative": "Amended text.", "reason": "   "}, "reason"),
        ({"narrative": "Amended text."}, "reason"),
        ({"reason": "Clearer"}, "narrative"),
        ({"narrative": "Original text.", "reason": "No change"}, "narrative"),
    ]:
        response = api.post(url(review, "amend"), payload)
        assert response.status_code == 400, payload
        assert field in response.json(), (payload, response.json())
    assert state_of(review) == ReviewState.PUBLISHED
    version = api.get(url(review)).json()["version"]
    stale = api.post(url(review, "amend"), {"narrative": "Amended.", "reason": "Clearer", "version": version - 1})
    assert stale.status_code == 409
    assert stale.json()["current"]["narrative"] == "Original text."
    response = api.post(url(review, "amend"), {"narrative": "Amended text.", "reason": "Clearer", "version": version})
    assert response.status_code == 200
    assert response.json()["state"] == "amended"
    assert response.json()["narrative"] == "Amended text."
    assert list(ReviewText.objects.filter(review=review).values_list("number", "narrative", "reason")) == [
        (1, "Original text.", "Published"),
        (2, "Amended text.", "Clearer"),
    ]
    again = api.post(url(review, "amend"), {"narrative": "Third text.", "reason": "Typo"})
    assert again.status_code == 200
    assert ReviewText.objects.filter(review=review).count() == 3


def test_amending_a_draft_is_refused(api, facilitator, review):
    api.force_authenticate(facilitator)
    response = api.post(url(review, "amend"), {"narrative": "New", "reason": "Because"})
    assert response.status_code == 400
    assert state_of(review) == ReviewState.DRAFT


STATE_ACTIONS = [
    ("start", {}),
    ("return-to-draft", {}),
    ("publish", {}),
    ("consolidate", {}),
    ("amend", {"narrative": "Rewritten", "reason": "Because"}),
    ("invite", {"user": "{other}"}),
    ("dismiss", {"phrase": "should have", "reason": "A quote"}),
]


@pytest.mark.parametrize(("action", "payload"), STATE_ACTIONS)
@pytest.mark.parametrize("state", ["draft", "in_review"])
def test_participants_get_403_and_others_404_on_state_actions(
    api, facilitator, participant, staff, governance, state, action, payload
):
    review = make_review(facilitator)
    services.participant_invite(facilitator, review, invitee=participant)
    if state == "in_review":
        services.review_start(facilitator, review)
    payload = {k: (governance.pk if v == "{other}" else v) for k, v in payload.items()}
    api.force_authenticate(participant)
    assert api.post(url(review, action), payload).status_code == 403
    api.force_authenticate(staff)
    assert api.post(url(review, action), payload).status_code == 404
    fresh = Review.objects.get(pk=review.pk)
    assert fresh.state == state
    assert fresh.version == review.version + (1 if state == "in_review" else 0)
    assert fresh.participants.count() == 1
    assert not fresh.dismissals.exists()


@pytest.mark.parametrize(("action", "payload"), STATE_ACTIONS)
@pytest.mark.parametrize("who", ["staff", "governance", "participant"])
def test_people_who_see_a_published_review_get_403_on_its_state_actions(
    request, api, facilitator, participant, who, action, payload
):
    review = published(facilitator, participant)
    payload = {k: (facilitator.pk if v == "{other}" else v) for k, v in payload.items()}
    api.force_authenticate(request.getfixturevalue(who))
    assert api.post(url(review, action), payload).status_code == 403
    assert state_of(review) == ReviewState.PUBLISHED
    assert ReviewText.objects.filter(review=review).count() == 1


def test_consolidate_stores_the_clarity_score(api, facilitator, participant):
    review = started(facilitator, participant)
    services.scores_save(participant, review, scores=dict.fromkeys(range(1, 7), (5, "")), submit=True)
    api.force_authenticate(facilitator)
    response = api.post(url(review, "consolidate"))
    assert response.status_code == 200
    assert response.json()["clarity_score"] == 100.0
    assert Review.objects.get(pk=review.pk).dimension_results.count() == 6


def test_dismissing_a_language_hint(api, facilitator, review):
    services.review_update(facilitator, review, version=1, narrative="The lead should have paged sooner.")
    api.force_authenticate(facilitator)
    assert api.get(url(review)).json()["language_hits"] != []
    response = api.post(url(review, "dismiss"), {"phrase": "should have", "reason": ""})
    assert response.status_code == 400
    assert "reason" in response.json()
    response = api.post(url(review, "dismiss"), {"phrase": "Should Have", "reason": "Quoting the customer"})
    assert response.status_code == 200
    assert response.json()["language_hits"] == []


# Editing the review -------------------------------------------------------------------


def test_patch_review_with_version(api, facilitator, review):
    api.force_authenticate(facilitator)
    response = api.patch(url(review), {"narrative": "What happened.", "is_exercise": True, "version": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2
    assert body["narrative"] == "What happened." and body["is_exercise"] is True
    assert Review.objects.get(pk=review.pk).narrative == "What happened."

    stale = api.patch(url(review), {"narrative": "From an old copy", "version": 1})
    assert stale.status_code == 409
    conflict = stale.json()
    assert conflict["current"] == {"version": 2, "narrative": "What happened.", "is_exercise": True}
    assert "detail" in conflict
    assert Review.objects.get(pk=review.pk).narrative == "What happened."

    missing = api.patch(url(review), {"narrative": "No version"})
    assert missing.status_code == 400
    assert "version" in missing.json()
    assert api.patch(url(review), {"narrative": "x", "version": "two"}).status_code == 400
    assert api.put(url(review), {"narrative": "x", "version": 2}).status_code == 405
    assert Review.objects.get(pk=review.pk).version == 2


def test_a_state_change_makes_an_earlier_copy_stale(api, facilitator, participant, review):
    services.participant_invite(facilitator, review, invitee=participant)
    api.force_authenticate(facilitator)
    version = api.get(url(review)).json()["version"]
    api.post(url(review, "start"))
    assert api.patch(url(review), {"narrative": "Edit", "version": version}).status_code == 409


def test_patch_review_per_role_and_state(api, facilitator, participant, staff):
    review = started(facilitator, participant)
    version = Review.objects.get(pk=review.pk).version
    api.force_authenticate(participant)
    assert api.patch(url(review), {"narrative": "Mine now", "version": version}).status_code == 403
    api.force_authenticate(staff)
    assert api.patch(url(review), {"narrative": "Mine now", "version": version}).status_code == 404
    assert Review.objects.get(pk=review.pk).narrative == ""
    done = published(facilitator, UserFactory(username="quinn"), title="Done")
    api.force_authenticate(facilitator)
    response = api.patch(url(done), {"narrative": "Rewritten", "version": done.version})
    assert response.status_code == 400  # published: amend it instead
    assert "non_field_errors" in response.json()


# Editing the incident -------------------------------------------------------------------


def incident_url(review):
    return f"/api/incidents/{review.incident.pk}/"


def test_patch_incident_with_version(api, facilitator, review):
    api.force_authenticate(facilitator)
    first_update = iso(at(review, 30))
    response = api.patch(
        incident_url(review), {"title": "Renamed", "first_customer_update_at": first_update, "version": 1}
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert response.json()["title"] == "Renamed"
    detail = api.get(url(review)).json()
    assert detail["incident"]["title"] == "Renamed"
    assert {m["key"]: m["seconds"] for m in detail["metrics"]}["time_to_first_update"] == 30 * 60

    stale = api.patch(incident_url(review), {"title": "From an old copy", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current"] == {"version": 2, "title": "Renamed"}
    missing = api.patch(incident_url(review), {"title": "No version"})
    assert missing.status_code == 400
    assert "version" in missing.json()
    review.incident.refresh_from_db()
    assert review.incident.title == "Renamed" and review.incident.version == 2


@pytest.mark.parametrize(
    ("minutes", "field"),
    [
        ({"resolved_at": -10}, "resolved_at"),
        ({"acknowledged_at": -1}, "acknowledged_at"),
        ({"acknowledged_at": 60, "resolved_at": 30}, "resolved_at"),
        ({"first_customer_update_at": 90, "resolved_at": 60}, "first_customer_update_at"),
        ({"escalated_at": 60 * 72}, "escalated_at"),  # in the future
    ],
)
def test_patch_incident_with_an_impossible_milestone_order_is_a_field_error(api, facilitator, review, minutes, field):
    api.force_authenticate(facilitator)
    payload = {name: iso(at(review, offset)) for name, offset in minutes.items()}
    response = api.patch(incident_url(review), payload | {"version": 1})
    assert response.status_code == 400
    assert field in response.json(), response.json()
    review.incident.refresh_from_db()
    assert review.incident.version == 1 and review.incident.resolved_at is None


def test_moving_the_escalation_after_a_role_start_is_a_field_error(api, facilitator, staff, review):
    services.role_assign(facilitator, review.incident, role="decision_owner", person=staff, started_at=at(review, 5))
    api.force_authenticate(facilitator)
    response = api.patch(incident_url(review), {"escalated_at": iso(at(review, 10)), "version": 1})
    assert response.status_code == 400
    assert "escalated_at" in response.json()


@pytest.mark.parametrize(("payload", "field"), [({"satisfaction": 6}, "satisfaction"), ({"title": ""}, "title")])
def test_patch_incident_serializer_errors(api, facilitator, review, payload, field):
    api.force_authenticate(facilitator)
    response = api.patch(incident_url(review), payload | {"version": 1})
    assert response.status_code == 400
    assert field in response.json()


def test_patch_incident_per_role_and_state(api, facilitator, participant, staff):
    review = started(facilitator, participant)
    api.force_authenticate(participant)
    assert api.patch(incident_url(review), {"title": "x", "version": 1}).status_code == 403
    api.force_authenticate(staff)
    assert api.patch(incident_url(review), {"title": "x", "version": 1}).status_code == 404
    review.incident.refresh_from_db()
    assert review.incident.title != "x"
    done = published(facilitator, UserFactory(username="quinn"), title="Done")
    assert api.patch(incident_url(done), {"title": "x", "version": 1}).status_code == 403
    api.force_authenticate(facilitator)
    assert api.patch(incident_url(done), {"title": "x", "version": 1}).status_code == 400


# Role assignments -----------------------------------------------------------------------


def role_payload(review, person, minutes, role="communications_owner"):
    return {"incident": review.incident.pk, "role": role, "person": person.pk, "started_at": iso(at(review, minutes))}


def test_role_assignment_and_handover(api, facilitator, staff, governance, review):
    api.force_authenticate(facilitator)
    first = api.post("/api/role-assignments/", role_payload(review, staff, 10))
    assert first.status_code == 201, first.content
    assert first.json()["person"] == staff.pk and first.json()["ended_at"] is None
    handover = role_payload(review, governance, 70) | {"handover_note": "The customer thread and the promised time."}
    second = api.post("/api/role-assignments/", handover)
    assert second.status_code == 201
    ownership = {r["role"]: r for r in api.get(url(review)).json()["ownership"]}
    comms = ownership["communications_owner"]
    assert comms["gap"] is False
    history = comms["history"]
    assert [h["person"]["id"] for h in history] == [staff.pk, governance.pk]
    assert parse(history[0]["ended_at"]) == at(review, 70)  # the handover ended the previous holder
    assert history[1]["ended_at"] is None
    assert history[1]["handover_note"] == "The customer thread and the promised time."
    assert ownership["decision_owner"]["gap"] is True
    listed = api.get(f"/api/role-assignments/?incident={review.incident.pk}&role=communications_owner").json()
    assert [a["person"] for a in listed["results"]] == [staff.pk, governance.pk]


def test_core_roles_establish_ownership(api, facilitator, staff, review):
    api.force_authenticate(facilitator)
    for minutes, role in [(5, "investigation_lead"), (15, "communications_owner"), (25, "decision_owner")]:
        assert api.post("/api/role-assignments/", role_payload(review, staff, minutes, role=role)).status_code == 201
    metrics = {m["key"]: m for m in api.get(url(review)).json()["metrics"]}
    assert metrics["time_to_ownership"]["seconds"] == 25 * 60


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"started_at": -5}, "started_at"),  # before the escalation
        ({"started_at": 60 * 72}, "started_at"),  # in the future
        ({"ended_at": 5}, "ended_at"),  # ends before it starts
        ({"role": "chief_of_everything"}, "role"),
        ({"person": 999999}, "person"),
        ({"incident": 999999}, "incident"),
    ],
)
def test_bad_role_assignments_are_field_errors(api, facilitator, staff, review, change, field):
    api.force_authenticate(facilitator)
    payload = role_payload(review, staff, 10)
    for key, value in change.items():
        payload[key] = iso(at(review, value)) if key.endswith("_at") else value
    response = api.post("/api/role-assignments/", payload)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not RoleAssignment.objects.exists()


def test_handing_a_role_to_its_holder_is_refused(api, facilitator, staff, review):
    api.force_authenticate(facilitator)
    assert api.post("/api/role-assignments/", role_payload(review, staff, 10)).status_code == 201
    response = api.post("/api/role-assignments/", role_payload(review, staff, 20))
    assert response.status_code == 400
    assert "person" in response.json()


def test_role_assignments_per_role(api, facilitator, participant, staff, review):
    services.participant_invite(facilitator, review, invitee=participant)
    api.force_authenticate(participant)
    assert api.post("/api/role-assignments/", role_payload(review, participant, 10)).status_code == 403
    api.force_authenticate(staff)
    assert (
        api.post("/api/role-assignments/", role_payload(review, staff, 10)).status_code == 403
    )  # the role is checked before the body: hidden or missing parent alike
    assert not RoleAssignment.objects.exists()
    done = published(facilitator, UserFactory(username="quinn"), title="Done")
    assert api.post("/api/role-assignments/", role_payload(done, staff, 10)).status_code == 403
    api.force_authenticate(facilitator)
    assert api.post("/api/role-assignments/", role_payload(done, staff, 10)).status_code == 400  # read-only now


# Timeline entries ------------------------------------------------------------------------


def entry_payload(review, minutes=20):
    return {"incident": review.incident.pk, "at": iso(at(review, minutes)), "kind": "decision", "what": "Rolled back."}


def test_timeline_entries_create_list_and_delete(api, facilitator, review):
    api.force_authenticate(facilitator)
    later = api.post("/api/timeline-entries/", entry_payload(review, 40) | {"who": "Payments on-call"})
    assert later.status_code == 201, later.content
    assert later.json()["who"] == "Payments on-call" and later.json()["kind"] == "decision"
    earlier = api.post("/api/timeline-entries/", entry_payload(review, 20) | {"kind": "customer_update"})
    assert earlier.status_code == 201
    listed = api.get(f"/api/timeline-entries/?incident={review.incident.pk}").json()
    assert [e["id"] for e in listed["results"]] == [earlier.json()["id"], later.json()["id"]]  # by time
    assert len(api.get("/api/timeline-entries/?kind=decision").json()["results"]) == 1
    assert api.delete(f"/api/timeline-entries/{later.json()['id']}/").status_code == 204
    assert list(TimelineEntry.objects.values_list("pk", flat=True)) == [earlier.json()["id"]]
    assert api.delete(f"/api/timeline-entries/{later.json()['id']}/").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"at": Ago(-24)}, "at"),
        ({"what": ""}, "what"),
        ({"kind": "gossip"}, "kind"),
        ({"at": "yesterday"}, "at"),
    ],
)
def test_bad_timeline_entries_are_field_errors(api, facilitator, review, change, field):
    api.force_authenticate(facilitator)
    now = timezone.now()
    change = {key: value.resolve(now) if isinstance(value, Ago) else value for key, value in change.items()}
    response = api.post("/api/timeline-entries/", entry_payload(review) | change)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not TimelineEntry.objects.exists()


def test_a_timeline_entry_without_a_kind_is_not_a_500(facilitator, review):
    api = client_for(facilitator, raise_request_exception=False)
    payload = entry_payload(review)
    del payload["kind"]
    response = api.post("/api/timeline-entries/", payload)
    assert response.status_code in (201, 400), response.status_code


def test_timeline_entries_per_role(api, facilitator, participant, staff, review):
    services.participant_invite(facilitator, review, invitee=participant)
    entry = services.timeline_entry_add(facilitator, review.incident, at=at(review, 5), kind="note", what="x")
    api.force_authenticate(participant)
    assert len(api.get("/api/timeline-entries/").json()["results"]) == 1
    assert api.post("/api/timeline-entries/", entry_payload(review)).status_code == 403
    assert api.delete(f"/api/timeline-entries/{entry.pk}/").status_code == 403
    api.force_authenticate(staff)
    assert (
        api.post("/api/timeline-entries/", entry_payload(review)).status_code == 403
    )  # the role is checked before the body: hidden or missing parent alike
    assert api.delete(f"/api/timeline-entries/{entry.pk}/").status_code == 404
    assert list(TimelineEntry.objects.all()) == [entry]


def test_a_published_timeline_is_read_only(api, facilitator, participant):
    review = published(facilitator, participant)
    entry = TimelineEntry.objects.create(
        incident=review.incident, at=at(review, 5), kind="note", what="x", created_by=facilitator
    )
    api.force_authenticate(facilitator)
    assert api.post("/api/timeline-entries/", entry_payload(review)).status_code == 400
    assert api.delete(f"/api/timeline-entries/{entry.pk}/").status_code == 400
    assert TimelineEntry.objects.count() == 1


# Findings -----------------------------------------------------------------------------------


def test_findings_per_role(api, facilitator, participant, staff, review):
    services.participant_invite(facilitator, review, invitee=participant)
    api.force_authenticate(facilitator)
    response = api.post("/api/findings/", {"review": review.pk, "text": "  Nobody held the decision role.  "})
    assert response.status_code == 201
    assert response.json()["text"] == "Nobody held the decision role."
    assert api.post("/api/findings/", {"review": review.pk, "text": ""}).status_code == 400
    api.force_authenticate(participant)
    assert api.get(f"/api/findings/?review={review.pk}").json()["count"] == 1
    assert api.post("/api/findings/", {"review": review.pk, "text": "Mine"}).status_code == 403
    api.force_authenticate(staff)
    assert (
        api.post("/api/findings/", {"review": review.pk, "text": "Mine"}).status_code == 403
    )  # the role is checked before the body: hidden or missing parent alike
    assert review.findings.count() == 1


# Scores ---------------------------------------------------------------------------------------


def test_a_participant_saves_then_submits_scores(api, facilitator, participant):
    review = started(facilitator, participant)
    api.force_authenticate(participant)
    assert api.get(url(review, "scores")).json() == {"scores": [], "submit": False}
    saved = api.post(url(review, "scores"), {"scores": SIX[:2]})
    assert saved.status_code == 200
    assert saved.json() == {"scores": SIX[:2], "submit": False}
    response = api.post(url(review, "scores"), {"scores": [SIX[2]], "submit": True})
    assert response.status_code == 400
    assert set(response.json()) == {"score_4", "score_5", "score_6"}  # saved ones count, missing ones are named
    assert Participant.objects.get(user=participant).submitted_at is None
    submitted = api.post(url(review, "scores"), {"scores": SIX, "submit": True})
    assert submitted.status_code == 200
    assert submitted.json()["submit"] is True
    assert [s["dimension"] for s in submitted.json()["scores"]] == [1, 2, 3, 4, 5, 6]
    # Submitted scores stay editable while in review.
    changed = api.post(url(review, "scores"), {"scores": [{"dimension": 1, "score": 2}]})
    assert changed.status_code == 200
    assert changed.json()["scores"][0] == {"dimension": 1, "score": 2, "evidence": ""}
    assert changed.json()["submit"] is True
    assert api.get(url(review, "scores")).json() == changed.json()


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ([{"dimension": 1, "score": 0}], "scores"),
        ([{"dimension": 1, "score": 6}], "scores"),
        ([{"dimension": 7, "score": 3}], "scores"),
        ([{"dimension": 1, "score": "high"}], "scores"),
        ([{"score": 3}], "scores"),
        ([*SIX, SIX[0]], "scores"),  # more items than dimensions
        ("all fours", "scores"),
        (None, "scores"),
    ],
)
def test_bad_scores_are_a_400(api, facilitator, participant, scores, field):
    review = started(facilitator, participant)
    api.force_authenticate(participant)
    payload = {} if scores is None else {"scores": scores}
    response = api.post(url(review, "scores"), payload)
    assert response.status_code == 400
    assert field in response.json()
    assert not Participant.objects.get(user=participant).scores.exists()


def test_scores_are_given_only_while_in_review(api, facilitator, participant, review):
    services.participant_invite(facilitator, review, invitee=participant)
    api.force_authenticate(participant)
    response = api.post(url(review, "scores"), {"scores": SIX, "submit": True})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    done = published(facilitator, participant, title="Done")
    assert api.post(url(done, "scores"), {"scores": SIX}).status_code == 400
    assert api.get(url(done, "scores")).json()["submit"] is True


def test_scores_for_people_who_are_not_participants(api, facilitator, participant, staff):
    review = started(facilitator, participant)
    # The facilitator sees the review but does not score it.
    api.force_authenticate(facilitator)
    assert api.post(url(review, "scores"), {"scores": SIX}).status_code == 403
    response = api.get(url(review, "scores"))
    assert response.status_code == 404
    assert response.json() == {"detail": "You are not a participant of this review."}
    # Staff cannot see the review at all.
    api.force_authenticate(staff)
    assert api.post(url(review, "scores"), {"scores": SIX}).status_code == 404
    assert api.get(url(review, "scores")).status_code == 404
    # A published review is visible, but still not theirs to score.
    done = published(facilitator, UserFactory(username="quinn"), title="Done")
    assert api.post(url(done, "scores"), {"scores": SIX}).status_code == 403
    assert api.get(url(done, "scores")).status_code == 404
    assert not Participant.objects.filter(user__in=[staff, facilitator]).exists()


def test_scores_are_blind_until_you_submit(api, facilitator, participant):
    review = started(facilitator, participant)
    other = UserFactory(username="olive")
    services.participant_invite(facilitator, review, invitee=other)
    services.scores_save(other, review, scores=dict.fromkeys(range(1, 7), (2, "")), submit=True)
    api.force_authenticate(participant)
    api.post(url(review, "scores"), {"scores": SIX[:3]})
    assert api.get(url(review)).json()["consolidation"] is None  # saved, not submitted: still blind
    api.force_authenticate(facilitator)
    facilitator_view = api.get(url(review)).json()["consolidation"]
    assert facilitator_view["submitted"] == 1
    assert facilitator_view["overall"] == 25.0
    assert [d["median"] for d in facilitator_view["dimensions"]] == [2.0] * 6
    api.force_authenticate(participant)
    api.post(url(review, "scores"), {"scores": SIX, "submit": True})
    mine = api.get(url(review)).json()["consolidation"]
    assert mine["submitted"] == 2
    assert mine["overall"] == 50.0
    first = mine["dimensions"][0]
    assert first == {
        "dimension": 1,
        "label": first["label"],
        "median": 3.0,
        "spread": 2,
        "count": 2,
        "wide": True,
    }


# Action items ----------------------------------------------------------------------------------


def item_payload(review, owner, days=7, **extra):
    return {
        "review": review.pk,
        "title": "Add a certificate-expiry check",
        "owner": owner.pk,
        "due_on": str(timezone.localdate() + timedelta(days=days)),
        "kind": "monitoring",
    } | extra


def test_facilitator_creates_action_items(api, facilitator, staff, review):
    finding = services.finding_add(facilitator, review, text="Expiry was not monitored.")
    api.force_authenticate(facilitator)
    response = api.post("/api/action-items/", item_payload(review, staff, finding=finding.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "open" and body["version"] == 1 and body["is_overdue"] is False
    assert body["owner"] == staff.pk and body["finding"] == finding.pk
    assert ActionItem.objects.get().created_by == facilitator


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due_on": str(timezone.localdate() - timedelta(days=1))}, "due_on"),
        ({"title": ""}, "title"),
        ({"kind": "wishful"}, "kind"),
        ({"owner": 999999}, "owner"),
    ],
)
def test_bad_action_items_are_field_errors(api, facilitator, staff, review, change, field):
    api.force_authenticate(facilitator)
    response = api.post("/api/action-items/", item_payload(review, staff) | change)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not ActionItem.objects.exists()


def test_an_action_item_for_another_reviews_finding_is_refused(api, facilitator, staff, review):
    other = make_review(facilitator, title="Other")
    finding = services.finding_add(facilitator, other, text="Elsewhere.")
    api.force_authenticate(facilitator)
    response = api.post("/api/action-items/", item_payload(review, staff, finding=finding.pk))
    assert response.status_code == 400
    assert "finding" in response.json()


def test_an_action_item_without_a_kind_is_not_a_500(facilitator, staff, review):
    api = client_for(facilitator, raise_request_exception=False)
    payload = item_payload(review, staff)
    del payload["kind"]
    response = api.post("/api/action-items/", payload)
    assert response.status_code in (201, 400), response.status_code


def test_action_items_per_role(api, facilitator, participant, staff, review):
    services.participant_invite(facilitator, review, invitee=participant)
    api.force_authenticate(participant)
    assert api.post("/api/action-items/", item_payload(review, participant)).status_code == 403
    api.force_authenticate(staff)
    assert (
        api.post("/api/action-items/", item_payload(review, staff)).status_code == 403
    )  # the role is checked before the body: hidden or missing parent alike
    assert not ActionItem.objects.exists()


def test_action_items_are_filtered_by_owner_state_and_overdue(api, facilitator, participant, staff):
    review = published(facilitator, participant)
    today = timezone.localdate()

    def item(title, owner, due_on):
        return services.action_item_add(facilitator, review, title=title, owner=owner, due_on=due_on, kind="other")

    late = item("Late", staff, today - timedelta(days=3))  # allowed: the review is published
    soon = item("Soon", staff, today + timedelta(days=2))
    item("Pat's", participant, today + timedelta(days=5))
    done_late = item("Done late", participant, today - timedelta(days=1))
    services.action_item_set_state(participant, done_late, state="done")
    api.force_authenticate(staff)

    def titles(query):
        response = api.get(f"/api/action-items/{query}")
        assert response.status_code == 200
        return [i["title"] for i in response.json()["results"]]

    assert titles("") == ["Late", "Done late", "Soon", "Pat's"]  # by due date
    assert titles(f"?owner={staff.pk}") == ["Late", "Soon"]
    assert titles("?state=done") == ["Done late"]
    assert titles(f"?owner={participant.pk}&state=open") == ["Pat's"]
    assert titles("?overdue=true") == ["Late"]  # open and past due; done items are not overdue
    assert titles(f"?overdue=1&owner={participant.pk}") == []
    assert titles("?overdue=false") == titles("")
    results = {i["id"]: i for i in api.get("/api/action-items/").json()["results"]}
    assert results[late.pk]["is_overdue"] is True and results[soon.pk]["is_overdue"] is False
    assert api.get("/api/action-items/?state=nonsense").status_code == 400


def test_action_item_state_changes(api, facilitator, participant, staff, governance):
    review = published(facilitator, participant)
    item = services.action_item_add(
        facilitator, review, title="Chain check", owner=staff, due_on=timezone.localdate(), kind="monitoring"
    )
    state_url = f"/api/action-items/{item.pk}/state/"
    api.force_authenticate(governance)  # sees the review, does not own the item
    assert api.post(state_url, {"state": "done"}).status_code == 403
    api.force_authenticate(participant)
    assert api.post(state_url, {"state": "done"}).status_code == 403
    item.refresh_from_db()
    assert item.state == "open" and item.version == 1

    api.force_authenticate(staff)
    response = api.post(state_url, {"state": "dropped"})
    assert response.status_code == 400
    assert "dropped_reason" in response.json()
    assert api.post(state_url, {"state": "dropped", "dropped_reason": "  "}).status_code == 400
    assert api.post(state_url, {"state": "finished"}).status_code == 400
    done = api.post(state_url, {"state": "done", "version": 1})
    assert done.status_code == 200
    assert done.json()["state"] == "done" and done.json()["version"] == 2
    assert done.json()["completed_at"] is not None
    stale = api.post(state_url, {"state": "open", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current"]["state"] == "done" and stale.json()["current"]["version"] == 2

    api.force_authenticate(facilitator)  # a facilitator may change anyone's item
    dropped = api.post(state_url, {"state": "dropped", "dropped_reason": "Covered by the new monitor.", "version": 2})
    assert dropped.status_code == 200
    assert dropped.json()["dropped_reason"] == "Covered by the new monitor."
    assert dropped.json()["completed_at"] is None
    reopened = api.post(state_url, {"state": "open"})
    assert reopened.json()["state"] == "open" and reopened.json()["dropped_reason"] == ""
    assert ActionItem.objects.get(pk=item.pk).version == 4


def test_action_item_state_on_a_hidden_review_is_404(api, facilitator, staff, governance, review):
    item = services.action_item_add(
        facilitator, review, title="Chain check", owner=staff, due_on=timezone.localdate(), kind="monitoring"
    )
    api.force_authenticate(governance)
    assert api.post(f"/api/action-items/{item.pk}/state/", {"state": "done"}).status_code == 404
    assert ActionItem.objects.get(pk=item.pk).state == "open"


# Language check ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "facilitator", "governance"])
def test_language_check_returns_hits(request, api, who):
    api.force_authenticate(request.getfixturevalue(who))
    response = api.post("/api/language-check/", {"text": "Sam should have paged the lead"})
    assert response.status_code == 200
    hits = response.json()["hits"]
    assert len(hits) == 1
    hit = hits[0]
    assert set(hit) == {"rule", "start", "end", "phrase", "message", "suggestion"}
    assert (hit["rule"], hit["start"], hit["end"], hit["phrase"]) == ("should-have", 4, 15, "should have")
    assert hit["message"] and hit["suggestion"]


def test_language_check_limits(api, staff):
    api.force_authenticate(staff)
    assert api.post("/api/language-check/", {"text": ""}).json() == {"hits": []}
    assert api.post("/api/language-check/", {"text": "The queue filled up."}).json() == {"hits": []}
    response = api.post("/api/language-check/", {"text": "x" * 100_001})
    assert response.status_code == 400
    assert "text" in response.json()
    assert api.post("/api/language-check/", {"text": "x" * 100_000}).json() == {"hits": []}
    assert api.post("/api/language-check/", {}).status_code == 400
    assert api.post("/api/language-check/", {"text": None}).status_code == 400


def test_language_check_uses_names_only_from_reviews_you_may_see(api, facilitator, participant, staff):
    review = make_review(facilitator)
    services.participant_invite(facilitator, review, invitee=participant)
    text = {"text": "Pat forgot the runbook.", "review": review.pk}
    api.force_authenticate(participant)
    hits = api.post("/api/language-check/", text).json()["hits"]
    assert [(h["rule"], h["phrase"]) for h in hits] == [("named-fault", "Pat forgot")]
    api.force_authenticate(staff)  # cannot see the draft: its people's names are not used
    assert api.post("/api/language-check/", text).json() == {"hits": []}


# Inviting ------------------------------------------------------------------------------------------


def test_facilitator_invites_participants_once(api, facilitator, participant, review):
    api.force_authenticate(facilitator)
    response = api.post(url(review, "invite"), {"user": participant.pk})
    assert response.status_code == 201
    body = response.json()
    assert body["user"] == {"id": participant.pk, "username": "pat", "name": "Pat Participant"}
    assert body["invited_at"]
    again = api.post(url(review, "invite"), {"user": participant.pk})
    assert again.status_code == 400
    assert "user" in again.json()
    assert api.post(url(review, "invite"), {"user": 999999}).status_code == 400
    assert api.post(url(review, "invite"), {}).status_code == 400
    assert list(review.participants.values_list("user", flat=True)) == [participant.pk]


def test_inactive_people_cannot_be_invited(api, facilitator, review):
    gone = UserFactory(username="gone", is_active=False)
    api.force_authenticate(facilitator)
    response = api.post(url(review, "invite"), {"user": gone.pk})
    assert response.status_code == 400
    assert not review.participants.exists()


def test_invite_per_role_and_state(api, facilitator, participant, staff, governance, review):
    services.participant_invite(facilitator, review, invitee=participant)
    api.force_authenticate(participant)
    assert api.post(url(review, "invite"), {"user": governance.pk}).status_code == 403
    api.force_authenticate(staff)
    assert api.post(url(review, "invite"), {"user": staff.pk}).status_code == 404
    assert review.participants.count() == 1
    done = published(facilitator, UserFactory(username="quinn"), title="Done")
    assert api.post(url(done, "invite"), {"user": staff.pk}).status_code == 403
    api.force_authenticate(facilitator)
    assert api.post(url(done, "invite"), {"user": staff.pk}).status_code == 400  # read-only once published


# Query counts ------------------------------------------------------------------------------------------


def test_review_list_query_count_is_constant(api, facilitator, django_assert_max_num_queries):
    team = TeamFactory(slug="payments")

    def add(i):
        review = make_review(facilitator, title=f"Review {i}", team=team)
        services.participant_invite(facilitator, review, invitee=UserFactory())
        return review

    for i in range(3):
        add(i)
    api.force_authenticate(facilitator)
    api.get("/api/reviews/")  # warm up the per-user role cache
    with django_assert_max_num_queries(50) as few:
        assert api.get("/api/reviews/").json()["count"] == 3
    for i in range(3, 15):
        add(i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get("/api/reviews/")
    assert response.json()["count"] == 15
    assert {r["incident"]["team"] for r in response.json()["results"]} == {"payments"}


def _fill(facilitator, review, people):
    """Roles (with handovers), timeline entries, submitted participants, findings,
    action items and a dismissal, so every prefetch of the detail runs."""
    roles = ["investigation_lead", "communications_owner", "decision_owner", "customer_contact", "internal_liaison"]
    for i, person in enumerate(people):
        services.role_assign(
            facilitator, review.incident, role=roles[i % len(roles)], person=person, started_at=at(review, 5 + i)
        )
        services.timeline_entry_add(
            facilitator, review.incident, at=at(review, 5 + i), kind="note", what=f"{person.first_name} was paged."
        )
        services.participant_invite(facilitator, review, invitee=person)
        finding = services.finding_add(facilitator, review, text=f"Finding {i}: the lead should have known.")
        services.action_item_add(
            facilitator,
            review,
            title=f"Action {i}",
            owner=person,
            due_on=timezone.localdate(),
            kind="other",
            finding=finding,
        )
    services.language_hit_dismiss(facilitator, review, phrase="was paged", reason="Fine")
    review = services.review_start(facilitator, review)
    for person in people:
        services.scores_save(person, review, scores=SIX_SERVICE, submit=True)
    review = services.review_update(facilitator, review, version=review.version, narrative="Sam forgot the runbook.")
    return services.review_publish(facilitator, review)


@pytest.mark.parametrize("viewer", ["facilitator", "staff"])
def test_review_detail_query_count_is_constant(request, facilitator, viewer, django_assert_max_num_queries):
    small = _fill(facilitator, make_review(facilitator, title="Small"), [UserFactory()])
    big = _fill(facilitator, make_review(facilitator, title="Big"), [UserFactory() for _ in range(12)])
    api = client_for(request.getfixturevalue(viewer))
    api.get(url(small))  # warm up the per-user role cache
    with django_assert_max_num_queries(60) as few:
        small_body = api.get(url(small)).json()
    assert small_body["consolidation"]["submitted"] == 1
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = api.get(url(big)).json()
    assert body["consolidation"]["submitted"] == 12
    assert sum(len(r["history"]) for r in body["ownership"]) == 12
    assert bool(body["language_hits"]) == (viewer == "facilitator")


# The schema ---------------------------------------------------------------------------------------------


def test_the_schema_lists_the_review_paths(api, staff):
    api.force_authenticate(staff)
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, methods in {
        "/api/reviews/": {"get", "post"},
        "/api/reviews/{id}/": {"get", "patch"},
        "/api/reviews/{id}/start/": {"post"},
        "/api/reviews/{id}/return-to-draft/": {"post"},
        "/api/reviews/{id}/publish/": {"post"},
        "/api/reviews/{id}/consolidate/": {"post"},
        "/api/reviews/{id}/amend/": {"post"},
        "/api/reviews/{id}/invite/": {"post"},
        "/api/reviews/{id}/scores/": {"get", "post"},
        "/api/reviews/{id}/dismiss/": {"post"},
        "/api/incidents/{id}/": {"get", "patch"},
        "/api/role-assignments/": {"get", "post"},
        "/api/timeline-entries/{id}/": {"get", "delete"},
        "/api/action-items/": {"get", "post"},
        "/api/action-items/{id}/state/": {"post"},
        "/api/language-check/": {"post"},
    }.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    assert "put" not in paths["/api/reviews/{id}/"]


# Blind scoring: the clarity score waits for your own submission -------------------


def test_consolidating_before_anyone_submitted_is_refused_and_shows_nothing(api, facilitator, participant):
    review = started(facilitator, participant)
    api.force_authenticate(facilitator)
    response = api.post(url(review, "consolidate"))
    assert response.status_code == 400
    assert Review.objects.get(pk=review.pk).clarity_score is None
    api.force_authenticate(participant)
    assert api.get(url(review)).json()["clarity_score"] is None


@pytest.mark.parametrize("state", ["draft", "published", "archived"])
def test_consolidation_is_for_a_review_in_review_only(api, facilitator, participant, state):
    review = published(facilitator, participant) if state == "published" else make_review(facilitator)
    if state == "archived":
        services.review_archive(facilitator, review, reason="A duplicate")
    before = list(Review.objects.filter(pk=review.pk).values_list("clarity_score", "version"))
    api.force_authenticate(facilitator)
    assert api.post(url(review, "consolidate")).status_code == 400
    assert list(Review.objects.filter(pk=review.pk).values_list("clarity_score", "version")) == before


def test_the_stored_clarity_score_stays_blind_to_a_participant_who_has_not_submitted(api, facilitator, participant):
    review = started(facilitator, participant)
    other = UserFactory(username="olive")
    services.participant_invite(facilitator, review, invitee=other)
    services.scores_save(other, review, scores=dict.fromkeys(range(1, 7), (2, "")), submit=True)
    services.scores_consolidate(facilitator, review)
    assert Review.objects.get(pk=review.pk).clarity_score == 25.0
    api.force_authenticate(participant)
    assert api.get(url(review)).json()["clarity_score"] is None
    assert [row["clarity_score"] for row in api.get("/api/reviews/").json()["results"]] == [None]
    api.force_authenticate(facilitator)
    assert api.get(url(review)).json()["clarity_score"] == 25.0
    api.force_authenticate(participant)
    api.post(url(review, "scores"), {"scores": SIX, "submit": True})
    assert [row["clarity_score"] for row in api.get("/api/reviews/").json()["results"]] == [25.0]


def test_the_review_list_page_hides_the_clarity_score_until_you_submit(client, facilitator, participant):
    review = started(facilitator, participant, title="Blind one")
    other = UserFactory(username="olive")
    services.participant_invite(facilitator, review, invitee=other)
    services.scores_save(other, review, scores=dict.fromkeys(range(1, 7), (2, "")), submit=True)
    services.scores_consolidate(facilitator, review)
    client.force_login(participant)
    assert ">25<" not in client.get("/reviews/").content.decode().replace(" ", "")
    client.force_login(facilitator)
    assert ">25<" in client.get("/reviews/").content.decode().replace(" ", "")


# Ownership roles: renounced, corrected, removed ---------------------------------------


def held(facilitator, review, minutes=10):
    """The three core roles held from ``minutes`` after the escalation."""
    return [
        services.role_assign(
            facilitator, review.incident, role=role, person=facilitator, started_at=at(review, minutes)
        )
        for role in sorted(CORE)
    ]


def established(review):
    review.incident.refresh_from_db()
    return review.incident.ownership_established_at


def test_a_role_is_renounced_with_no_successor_and_the_gap_shows(api, facilitator, review):
    lead = held(facilitator, review)[0]
    api.force_authenticate(facilitator)
    response = api.post(f"/api/role-assignments/{lead.pk}/end/", {"ended_at": iso(at(review, 30))})
    assert response.status_code == 200 and parse(response.json()["ended_at"]) == at(review, 30)
    ownership = {row["role"]: row for row in api.get(url(review)).json()["ownership"]}
    assert ownership[lead.role]["history"][0]["ended_at"] is not None
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(action="incident.role_ended").count() == 1


def test_a_mistaken_assignment_is_corrected_and_time_to_ownership_follows(api, facilitator, participant, review):
    roles = held(facilitator, review, minutes=10)
    assert established(review) == at(review, 10)
    api.force_authenticate(facilitator)
    response = api.patch(
        f"/api/role-assignments/{roles[0].pk}/", {"started_at": iso(at(review, 40)), "person": participant.pk}
    )
    assert response.status_code == 200, response.json()
    assert established(review) == at(review, 40)
    corrected = RoleAssignment.objects.get(pk=roles[0].pk)
    assert corrected.person == participant and corrected.ended_at is None


def test_a_correction_that_overlaps_another_holder_is_a_field_error(api, facilitator, participant, review):
    first = held(facilitator, review, minutes=10)[0]
    services.role_assign(facilitator, review.incident, role=first.role, person=participant, started_at=at(review, 30))
    api.force_authenticate(facilitator)
    response = api.patch(f"/api/role-assignments/{first.pk}/", {"ended_at": None})
    assert response.status_code == 400 and "started_at" in response.json()
    assert RoleAssignment.objects.get(pk=first.pk).ended_at == at(review, 30)


def test_removing_an_assignment_recorded_by_mistake_reopens_the_gap(api, facilitator, review):
    roles = held(facilitator, review)
    assert established(review) is not None
    api.force_authenticate(facilitator)
    assert api.delete(f"/api/role-assignments/{roles[1].pk}/").status_code == 204
    assert not RoleAssignment.objects.filter(pk=roles[1].pk).exists()
    assert established(review) is None


@pytest.mark.parametrize(("who", "code"), [("staff", 404), ("participant", 403)])  # staff may not see the draft
def test_only_facilitators_correct_end_or_remove_roles(request, api, facilitator, participant, review, who, code):
    lead = held(facilitator, review)[0]
    services.participant_invite(facilitator, review, invitee=participant)
    api.force_authenticate(request.getfixturevalue(who))
    assert api.patch(f"/api/role-assignments/{lead.pk}/", {"handover_note": "x"}).status_code == code
    assert api.delete(f"/api/role-assignments/{lead.pk}/").status_code == code
    assert api.post(f"/api/role-assignments/{lead.pk}/end/", {"ended_at": iso(at(review, 20))}).status_code == code
    assert RoleAssignment.objects.filter(pk=lead.pk, ended_at=None, handover_note="").exists()


def test_roles_of_a_published_review_are_read_only(api, facilitator, participant):
    review = make_review(facilitator)
    lead = held(facilitator, review)[0]
    services.participant_invite(facilitator, review, invitee=participant)
    review = services.review_start(facilitator, review)
    services.scores_save(participant, review, scores=SIX_SERVICE, submit=True)
    review = services.review_update(facilitator, review, version=review.version, narrative="The queue filled up.")
    services.review_publish(facilitator, review)
    api.force_authenticate(facilitator)
    assert api.delete(f"/api/role-assignments/{lead.pk}/").status_code == 400
    assert RoleAssignment.objects.filter(pk=lead.pk).exists()


# Dates: a sensible window ---------------------------------------------------------


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z", "1969-12-31T23:59:00Z"])
def test_extreme_dates_are_field_errors_everywhere_a_moment_is_typed(api, facilitator, review, moment):
    api.force_authenticate(facilitator)
    created = api.post("/api/reviews/", create_payload(escalated_at=moment))
    assert created.status_code == 400 and "escalated_at" in created.json()
    entry = api.post("/api/timeline-entries/", {"incident": review.incident.pk, "at": moment, "what": "x"})
    assert entry.status_code == 400 and "at" in entry.json()
    role = api.post(
        "/api/role-assignments/",
        {"incident": review.incident.pk, "role": "decision_owner", "person": facilitator.pk, "started_at": moment},
    )
    assert role.status_code == 400 and "started_at" in role.json()
    version = Review.objects.get(pk=review.pk).incident.version
    edit = api.patch(f"/api/incidents/{review.incident.pk}/", {"resolved_at": moment, "version": version})
    assert edit.status_code == 400 and "resolved_at" in edit.json()
    assert not TimelineEntry.objects.exists() and not RoleAssignment.objects.exists()


def test_a_year_one_moment_saved_before_the_window_is_moved_into_it_and_the_page_reads(client, facilitator, review):
    from datetime import UTC
    from importlib import import_module

    from django.apps import apps

    TimelineEntry.objects.create(
        incident=review.incident, at=datetime(1, 1, 1, 3, tzinfo=UTC), what="Typed long ago", created_by=facilitator
    )
    client.force_login(facilitator)
    client.cookies["baton_tz"] = "America/Los_Angeles"
    import_module("reviews.migrations.0011_moments_in_window").clamp(apps, None)
    response = client.get(f"/reviews/{review.pk}/")
    assert response.status_code == 200 and "Typed long ago" in response.content.decode()
    assert TimelineEntry.objects.get().at == datetime(1970, 1, 1, tzinfo=UTC)


def test_sorting_by_clarity_does_not_reveal_the_order_of_blind_scores(api, facilitator, participant):
    scored = []
    for title, score in (("A", 5), ("B", 1), ("C", 3)):
        review = started(facilitator, participant, title=title)
        voter = UserFactory(username=f"voter-{title}")
        services.participant_invite(facilitator, review, invitee=voter)
        services.scores_save(voter, review, scores=dict.fromkeys(range(1, 7), (score, "")), submit=True)
        services.scores_consolidate(facilitator, review)
        scored.append(review.pk)
    api.force_authenticate(facilitator)
    order = [row["id"] for row in api.get("/api/reviews/?ordering=shown_clarity").json()["results"]]
    assert order == [scored[1], scored[2], scored[0]]  # 0, 50, 100
    api.force_authenticate(participant)  # invited to all three, submitted none
    rows = api.get("/api/reviews/?ordering=shown_clarity").json()["results"]
    assert [row["clarity_score"] for row in rows] == [None, None, None]
    from reviews import selectors

    # What the list sorts by is null on every row for them: the order carries nothing of the scores.
    assert {review.shown_clarity for review in selectors.review_list(participant)} == {None}
    assert api.get("/api/reviews/?ordering=clarity_score").status_code == 400


# From the former test_reviews_api.py: the API per role, end to end --------------------------


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


def test_only_the_owner_marks_an_action_item_done_and_a_stale_version_is_refused(api, facilitator, staff, governance):
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
