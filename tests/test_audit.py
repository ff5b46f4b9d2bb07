"""The audit trail: every state transition and edit is recorded with who and
when, in the same transaction as the change; governance owners and admins read
it; nobody edits it through the site."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEvent
from core.roles import FACILITATORS, GOVERNANCE
from playbook import services as playbook
from recognition import services as recognition
from reviews import services as reviews
from reviews.models import OwnershipRole
from tests.factories import TeamFactory, UserFactory, make_review

SIX = dict.fromkeys(range(1, 7), (4, "seen in the log"))


def actions(subject=None):
    events = AuditEvent.objects.exclude(subject_type="user").order_by("pk")  # not the fixtures' role grants
    if subject is not None:
        events = events.filter(subject_type=subject._meta.model_name, subject_id=str(subject.pk))
    return [(e.action, e.actor_name) for e in events]


def test_a_review_life_is_recorded_with_who_did_what(facilitator, staff):
    review = make_review(facilitator)
    reviews.review_update(facilitator, review, version=review.version, narrative="The first page went to a queue.")
    reviews.role_assign(
        facilitator,
        review.incident,
        role=OwnershipRole.INVESTIGATION_LEAD,
        person=staff,
        started_at=review.incident.escalated_at,
        handover_note="",
    )
    reviews.participant_invite(facilitator, review, invitee=staff)
    reviews.review_start(facilitator, review)
    reviews.scores_save(staff, review, scores=SIX, submit=True)
    reviews.review_publish(facilitator, review)
    review.refresh_from_db()
    reviews.review_amend(
        facilitator, review, narrative="Corrected narrative.", reason="Timeline fix", version=review.version
    )

    fiona = "Fiona Facilitator"
    assert actions(review) == [
        ("review.created", fiona),
        ("review.edited", fiona),
        ("review.participant_invited", fiona),
        ("review.started", fiona),
        ("review.scores_submitted", "Sam Staff"),
        ("review.published", fiona),
        ("review.amended", fiona),
    ]
    edited = AuditEvent.objects.get(action="review.edited")
    assert edited.changes == {"narrative": ["", "The first page went to a queue."]}
    amended = AuditEvent.objects.get(action="review.amended")
    assert amended.changes["narrative"] == ["The first page went to a queue.", "Corrected narrative."]
    assert amended.note == "Timeline fix"
    assert amended.subject_url == review.get_absolute_url()
    role = AuditEvent.objects.get(action="incident.role_assigned")
    assert role.changes == {"holder": [None, "staff"]} and role.subject_url == review.get_absolute_url()


def test_scores_stay_blind_in_the_trail(facilitator, staff):
    review = make_review(facilitator)
    reviews.participant_invite(facilitator, review, invitee=staff)
    reviews.review_start(facilitator, review)
    reviews.scores_save(staff, review, scores=SIX, submit=True)
    event = AuditEvent.objects.get(action="review.scores_submitted")
    assert event.changes == {} and event.note == ""


def test_a_refused_change_leaves_no_record(facilitator):
    review = make_review(facilitator)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        reviews.review_start(facilitator, review)  # no participant yet: refused after the state check
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(action="review.started").exists()


def test_incident_edits_record_the_fields_that_changed(facilitator):
    review = make_review(facilitator)
    incident = review.incident
    reviews.incident_update(facilitator, incident, version=incident.version, customer="Globex", severity="sev1")
    event = AuditEvent.objects.get(action="incident.edited")
    assert event.changes == {"customer": ["Acme Corp", "Globex"], "severity": ["sev2", "sev1"]}


def test_action_items_and_timeline(facilitator, staff):
    review = make_review(facilitator)
    item = reviews.action_item_add(
        facilitator, review, title="Page the owner", owner=staff, due_on=timezone.localdate() + timezone.timedelta(7)
    )
    reviews.action_item_set_state(staff, item, state="dropped", reason="Covered by the new rota", version=item.version)
    entry = reviews.timeline_entry_add(facilitator, review.incident, at=timezone.now(), what="Customer called")
    reviews.timeline_entry_delete(facilitator, entry)
    assert [a for a, _ in actions()][-4:] == [
        "action_item.created",
        "action_item.dropped",
        "timeline.added",
        "timeline.deleted",
    ]
    dropped = AuditEvent.objects.get(action="action_item.dropped")
    assert dropped.actor == staff
    assert dropped.changes == {"state": ["open", "dropped"], "dropped_reason": ["", "Covered by the new rota"]}
    assert AuditEvent.objects.get(action="timeline.deleted").changes["what"] == ["Customer called", None]


def test_revisions_and_approvals(staff, governance):
    revision = playbook.revision_create(
        staff,
        content={"pattern": "Payment outage", "target_first_update_minutes": 30},
        rationale="First version",
        new_slug="payments",
        new_owner=staff,
        submit=True,
    )
    version = playbook.revision_approve(
        governance, revision, comment="Good", attest_regulatory=True, attest_blameless=True
    )
    assert actions() == [
        ("revision.created", "Sam Staff"),
        ("revision.submitted", "Sam Staff"),
        ("revision.approved", "Gordon Governance"),
        ("playbook.version_published", "Gordon Governance"),
    ]
    published = AuditEvent.objects.get(action="playbook.version_published")
    assert published.subject_url == version.get_absolute_url()


def test_recognitions_hidden_ones_included(staff, governance, facilitator):
    team = TeamFactory()
    given = recognition.recognition_give(staff, team=team, category="clear_ownership", message="Took the lead at 3 am.")
    recognition.recognition_second(facilitator, given)
    recognition.recognition_hide(governance, given, reason="Names a customer")
    assert actions(given) == [
        ("recognition.given", "Sam Staff"),
        ("recognition.seconded", "Fiona Facilitator"),
        ("recognition.hidden", "Gordon Governance"),
    ]
    assert AuditEvent.objects.get(action="recognition.hidden").note == "Names a customer"


def test_role_grants_in_the_admin_are_recorded_with_the_admin(client, admin, staff):
    client.force_login(admin)
    group = Group.objects.get(name=GOVERNANCE)
    response = client.post(
        f"/admin/auth/user/{staff.pk}/change/",
        {
            "username": staff.username,
            "first_name": staff.first_name,
            "last_name": staff.last_name,
            "email": staff.email,
            "is_active": "on",
            "groups": [group.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="role.granted")
    assert event.actor == admin and event.subject_label == "Sam Staff"
    assert event.changes == {"role": [None, GOVERNANCE]}

    staff.groups.clear()  # outside a request: recorded without a person
    revoked = AuditEvent.objects.get(action="role.revoked")
    assert revoked.actor is None and revoked.changes == {"role": [GOVERNANCE, None]}


def test_events_cannot_be_changed_or_deleted(facilitator):
    make_review(facilitator)
    event = AuditEvent.objects.get(action="review.created")
    event.note = "rewritten"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_the_admin_shows_the_trail_read_only(client, admin, facilitator):
    make_review(facilitator)
    event = AuditEvent.objects.get(action="review.created")
    client.force_login(admin)
    assert client.get("/admin/baton/auditevent/").status_code == 200
    response = client.post(f"/admin/baton/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert client.get("/admin/baton/auditevent/add/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff", 403), ("facilitator", 403), ("governance", 200), ("admin", 200)],
)
def test_who_reads_the_audit_page(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/audit/").status_code == status


def test_the_audit_page_filters_and_links_to_history(client, governance, facilitator, staff):
    first = make_review(facilitator, title="Checkout failing")
    make_review(facilitator, title="Login slow")
    reviews.review_update(facilitator, first, version=first.version, narrative="Queue.")
    governance.groups.add(Group.objects.get(name=FACILITATORS))  # who may also open the drafts
    client.force_login(governance)

    page = client.get("/audit/").content.decode()
    assert "Checkout failing" in page and "Login slow" in page and "review.edited" in page
    assert 'href="/audit/"' in page  # the nav shows Audit to governance owners

    history = client.get(f"/audit/?subject_type=review&subject_id={first.pk}").content.decode()
    assert "Checkout failing" in history and "Login slow" not in history
    assert history.count("<tr>") == 1 + 2  # header + created, edited

    by_action = client.get("/audit/?action=edited").content.decode()
    assert "review.edited" in by_action and "review.created" not in by_action

    bad = client.get("/audit/?after=not-a-date")
    assert bad.status_code == 200 and "Enter a valid date" in bad.content.decode()


def test_the_nav_hides_audit_from_facilitators(client, facilitator):
    client.force_login(facilitator)
    assert 'href="/audit/"' not in client.get("/").content.decode()


@pytest.mark.parametrize("n", [5, 60])
def test_the_audit_page_runs_a_constant_number_of_queries(client, governance, facilitator, n):
    for i in range(n):
        make_review(facilitator, title=f"Escalation {i}")
    client.force_login(governance)
    client.get("/audit/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/audit/").status_code == 200
    assert len(queries) <= 8, [q["sql"] for q in queries]


def test_granting_a_role_outside_a_request_is_recorded_without_a_person(db):
    user = UserFactory(roles=[FACILITATORS])
    event = AuditEvent.objects.get(action="role.granted", subject_id=str(user.pk))
    assert event.actor is None and event.actor_name == "" and event.changes == {"role": [None, FACILITATORS]}


def test_the_trail_hides_the_text_of_a_draft_review_from_a_governance_owner_who_may_not_open_it(
    client, facilitator, governance
):
    from tests.factories import make_review

    draft = make_review(facilitator, title="Secret merger outage")
    client.force_login(governance)
    html = client.get("/audit/").content.decode()
    assert "Secret merger outage" not in html and "An item you cannot open" in html
    assert client.get(f"/reviews/{draft.pk}/").status_code == 404
    governance.groups.add(Group.objects.get(name=FACILITATORS))  # now they may open it
    assert "Secret merger outage" in client.get("/audit/").content.decode()
