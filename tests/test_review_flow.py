"""A facilitator's day on the review page: findings and participants corrected, nothing created
twice by a repeated submission, the state and the next step at a glance, a confirmation before
publishing, and a language warning only about what was just written."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, Submission
from reviews import selectors, services
from reviews.models import ActionItem, Finding, OwnershipRole, Participant, Review, ReviewState
from tests.factories import UserFactory, make_review

pytestmark = pytest.mark.django_db
R = OwnershipRole


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def in_review(facilitator, *people, **overrides):
    review = make_review(facilitator, narrative="The handover between shifts was not written down.", **overrides)
    for person in people:
        services.participant_invite(facilitator, review, invitee=person)
    services.review_start(facilitator, review)
    return Review.objects.get(pk=review.pk)


def score_all(person, review, score=4):
    services.scores_save(person, review, scores=dict.fromkeys(range(1, 7), (score, "seen")), submit=True)


# Findings ---------------------------------------------------------------------


def test_a_finding_is_reworded_from_its_page_and_the_trail_keeps_the_old_words(fclient, facilitator):
    review = make_review(facilitator)
    finding = services.finding_add(facilitator, review, text="Nobody owned the customer update")
    url = reverse("reviews:finding-correct", args=[review.pk, finding.pk])
    page = fclient.get(url)
    assert page.status_code == 200 and "Nobody owned the customer update" in page.content.decode()

    response = fclient.post(url, {"text": "The customer update had no owner for 40 minutes", "version": 1})
    assert response.status_code == 302 and response["Location"].endswith("#findings")
    finding.refresh_from_db()
    assert finding.text == "The customer update had no owner for 40 minutes" and finding.version == 2
    event = AuditEvent.objects.get(action="finding.edited")
    assert event.changes["text"] == ["Nobody owned the customer update", finding.text]


def test_the_second_of_two_editors_of_a_finding_is_told_and_keeps_their_words(fclient, facilitator):
    review = make_review(facilitator)
    finding = services.finding_add(facilitator, review, text="First wording")
    services.finding_edit(facilitator, finding, text="Saved meanwhile", version=1)
    url = reverse("reviews:finding-correct", args=[review.pk, finding.pk])
    response = fclient.post(url, {"text": "My late wording", "version": 1})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved first" in html and "Saved meanwhile" in html and "My late wording" in html
    finding.refresh_from_db()
    assert finding.text == "Saved meanwhile"
    again = fclient.post(url, {"text": "My late wording", "version": 2})
    assert again.status_code == 302
    finding.refresh_from_db()
    assert finding.text == "My late wording"


def test_removing_a_finding_keeps_its_action_items(fclient, facilitator, staff):
    review = make_review(facilitator)
    finding = services.finding_add(facilitator, review, text="Recorded twice")
    item = services.action_item_add(
        facilitator, review, title="Name a comms owner", owner=staff, due_on=timezone.localdate(), finding=finding
    )
    response = fclient.post(reverse("reviews:finding-remove", args=[review.pk, finding.pk]))
    assert response.status_code == 302
    assert not Finding.objects.filter(pk=finding.pk).exists()
    item.refresh_from_db()
    assert item.finding is None
    event = AuditEvent.objects.get(action="finding.deleted")
    assert event.changes["text"] == ["Recorded twice", None] and "Name a comms owner" in event.note


def test_findings_of_a_published_review_change_only_through_an_amendment(fclient, facilitator, staff):
    review = in_review(facilitator, staff)
    finding = services.finding_add(facilitator, review, text="Stays as published")
    score_all(staff, review)
    services.review_publish(facilitator, review)
    url = reverse("reviews:finding-correct", args=[review.pk, finding.pk])
    response = fclient.post(url, {"text": "Quietly changed", "version": 1})
    assert response.status_code == 400 and "Amend it" in response.content.decode()
    removed = fclient.post(reverse("reviews:finding-remove", args=[review.pk, finding.pk]), follow=True)
    assert "Amend it" in removed.content.decode()
    assert Finding.objects.get(pk=finding.pk).text == "Stays as published"


def test_findings_api_rewords_with_the_version_and_removes(api, facilitator, staff):
    review = make_review(facilitator)
    finding = services.finding_add(facilitator, review, text="Original")
    api.force_authenticate(facilitator)
    url = f"/api/findings/{finding.pk}/"
    assert api.patch(url, {"text": "No version"}, format="json").status_code == 400
    response = api.patch(url, {"text": "Better", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2 and response["ETag"] == '"2"'
    stale = api.patch(url, {"text": "Stale"}, format="json", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert api.patch(url, {"text": ["not", "text"], "version": 2}, format="json").status_code == 400
    api.force_authenticate(staff)
    assert api.delete(url).status_code in (403, 404)
    api.force_authenticate(facilitator)
    assert api.delete(url).status_code == 204
    assert not Finding.objects.exists()


# Participants -----------------------------------------------------------------


def test_removing_a_participant_who_scored_withdraws_their_scores_and_recomputes(fclient, facilitator):
    kind, harsh = UserFactory(username="kind"), UserFactory(username="harsh")
    review = in_review(facilitator, kind, harsh)
    score_all(kind, review, 5)
    score_all(harsh, review, 1)
    services.scores_consolidate(facilitator, review)
    review.refresh_from_db()
    before = review.clarity_score
    harsh_participant = Participant.objects.get(review=review, user=harsh)
    page = fclient.get(review.get_absolute_url()).content.decode()
    assert "Their submitted scores are withdrawn with them." in page

    response = fclient.post(reverse("reviews:participant-remove", args=[review.pk, harsh_participant.pk]))
    assert response.status_code == 302
    review.refresh_from_db()
    assert not Participant.objects.filter(user=harsh).exists()
    assert review.clarity_score == 100 and review.clarity_score != before
    event = AuditEvent.objects.get(action="review.participant_removed")
    assert event.changes["participant"] == ["harsh", None] and "withdrawn" in event.note


def test_participants_api_takes_back_an_invitation(api, facilitator, staff):
    review = make_review(facilitator)
    services.participant_invite(facilitator, review, invitee=staff)
    api.force_authenticate(facilitator)
    url = f"/api/reviews/{review.pk}/remove-participant/"
    assert api.post(url, {"user": "not-a-number"}, format="json").status_code == 400
    assert api.post(url, {"user": facilitator.pk}, format="json").status_code == 400  # not a participant
    assert api.post(url, {"user": staff.pk}, format="json").status_code == 204
    assert not review.participants.exists()
    api.force_authenticate(staff)
    assert api.post(url, {"user": staff.pk}, format="json").status_code in (403, 404)


# Nothing twice ----------------------------------------------------------------


def review_form(**changes):
    return {
        "title": "Card declines for Acme",
        "customer": "Acme",
        "severity": "sev2",
        "escalated_at": local(timezone.now() - timedelta(hours=3)),
        "once": str(uuid.uuid4()),
    } | changes


def test_submitting_create_review_again_lands_on_the_review_it_made(fclient):
    data = review_form()
    first = fclient.post("/reviews/new/", data)
    second = fclient.post("/reviews/new/", data)  # Back, then submit again
    review = Review.objects.get()
    assert first["Location"] == second["Location"] == review.get_absolute_url()
    assert "That was sent twice" in fclient.get(second["Location"]).content.decode()
    third = fclient.post("/reviews/new/", review_form(title="Another one"))  # a fresh form: a new review
    assert third.status_code == 302 and Review.objects.count() == 2


def test_a_refused_submission_leaves_its_token_free_for_the_corrected_one(fclient):
    data = review_form(escalated_at=local(timezone.now() + timedelta(days=3)))
    assert fclient.post("/reviews/new/", data).status_code == 400
    assert not Submission.objects.exists()
    fixed = fclient.post("/reviews/new/", data | {"escalated_at": local(timezone.now() - timedelta(hours=1))})
    assert fixed.status_code == 302 and Review.objects.count() == 1


def test_a_repeated_timeline_entry_is_recorded_once_and_the_form_stays_open(fclient, facilitator):
    review = make_review(facilitator)
    at = local(review.incident.escalated_at + timedelta(minutes=10))
    data = {"entry-at": at, "entry-kind": "decision", "entry-what": "Rolled back", "once": str(uuid.uuid4())}
    url = reverse("reviews:add-entry", args=[review.pk])
    first, second = fclient.post(url, data), fclient.post(url, data)
    assert first["Location"] == second["Location"] == f"{review.get_absolute_url()}?open=entry#timeline"
    assert review.incident.entries.count() == 1
    page = fclient.get(first["Location"]).content.decode()
    assert '<details class="add" id="add-entry" open>' in page


def test_the_same_token_from_another_person_is_theirs_alone(client, facilitator):
    other = UserFactory(username="f2", roles=["facilitators"])
    data = review_form()
    client.force_login(facilitator)
    client.post("/reviews/new/", data)
    client.force_login(other)
    client.post("/reviews/new/", data)
    assert Review.objects.count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a double click's two requests race on PostgreSQL (make test)"
)
@pytest.mark.django_db(transaction=True)
def test_a_double_click_creates_one_review(facilitator):
    data = review_form()
    barrier = threading.Barrier(2)
    locations = []

    def click():
        try:
            browser = Client()
            browser.force_login(facilitator)
            barrier.wait()
            locations.append(browser.post("/reviews/new/", data)["Location"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    review = Review.objects.get()
    assert locations == [review.get_absolute_url()] * 2


# At a glance ------------------------------------------------------------------


def test_the_header_shows_holders_gaps_metrics_and_the_next_step(fclient, facilitator, staff):
    review = make_review(facilitator)
    incident = review.incident
    services.role_assign(
        facilitator, incident, role=R.INVESTIGATION_LEAD, person=staff, started_at=incident.escalated_at
    )
    html = fclient.get(review.get_absolute_url()).content.decode()
    head = html[html.index('<header class="review-head"') : html.index("</header>", html.index("review-head"))]
    assert '<abbr title="Investigation lead">Lead</abbr>' in head and staff.get_full_name() in head
    assert head.count("Gap") == 2  # communications and decision owner
    assert '<abbr title="Time to ownership">Owned in</abbr>' in head
    assert "Next:" in head and "Record who held the communications owner and decision owner roles" in head


def next_text(review, user):
    review = selectors.review_for_page(review.pk)
    ownership = selectors.ownership(review.incident)
    return selectors.next_step(
        review,
        user,
        manage=user.groups.filter(name="facilitators").exists(),
        scoring=selectors.scoring(review, user),
        ownership=ownership,
        metrics=selectors.metrics_for(review.incident),
    ).text


def test_the_next_step_follows_the_review_for_each_person(facilitator, staff):
    other = UserFactory(username="other")
    review = make_review(facilitator)
    incident = review.incident
    for role in (R.INVESTIGATION_LEAD, R.COMMUNICATIONS_OWNER, R.DECISION_OWNER):
        services.role_assign(facilitator, incident, role=role, person=staff, started_at=incident.escalated_at)
    assert next_text(review, facilitator) == "Invite the people who took part, so they can score"
    services.participant_invite(facilitator, review, invitee=staff)
    services.participant_invite(facilitator, review, invitee=other)
    assert next_text(review, facilitator).startswith("Add the milestones behind")
    services.review_start(facilitator, review)
    assert next_text(review, facilitator) == "0 of 2 have scored"
    assert next_text(review, staff).startswith("Score the six dimensions")
    score_all(staff, review)
    assert next_text(review, staff) == "Your scores are in; 1 of 2 have scored"
    score_all(other, review)
    assert next_text(review, facilitator) == "Everyone has scored: write the narrative, then publish"


def test_a_role_left_open_ends_at_the_resolution(fclient, facilitator, staff):
    review = make_review(facilitator, hours_ago=10)
    incident = review.incident
    resolved = incident.escalated_at + timedelta(hours=2)
    services.incident_update(facilitator, incident, version=incident.version, resolved_at=resolved)
    services.role_assign(
        facilitator, incident, role=R.INVESTIGATION_LEAD, person=staff, started_at=incident.escalated_at
    )
    html = fclient.get(review.get_absolute_url()).content.decode()
    assert "still held" not in html
    assert f'datetime="{timezone.localtime(resolved).isoformat()}"' in html and "(the resolution)" in html


def test_the_timeline_says_what_appears_by_itself_and_filters_by_kind(fclient, facilitator):
    review = make_review(facilitator)
    incident = review.incident
    services.timeline_entry_add(
        facilitator, incident, at=incident.escalated_at, what="Chose to roll back", kind="decision"
    )
    services.timeline_entry_add(facilitator, incident, at=incident.escalated_at, what="Told the customer", kind="note")
    whole = fclient.get(review.get_absolute_url()).content.decode()
    assert "appear here by themselves" in whole
    assert "Chose to roll back" in whole and "Told the customer" in whole
    decisions = fclient.get(review.get_absolute_url() + "?kind=decision").content.decode()
    assert "Chose to roll back" in decisions and "Told the customer" not in decisions
    assert 'href="?kind=decision#timeline" class="chip" aria-current="true"' in decisions
    nonsense = fclient.get(review.get_absolute_url() + "?kind=zzz%27%3Cb%3E").content.decode()
    assert "Told the customer" in nonsense  # an unknown kind shows everything


def test_finished_sections_fold_for_the_facilitator_and_stay_open_for_readers(client, facilitator, staff):
    review = in_review(facilitator, staff)
    incident = review.incident
    client.force_login(facilitator)
    html = client.get(review.get_absolute_url()).content.decode()
    assert '<details class="fold" open>' in html[html.index('id="ownership"') : html.index('id="timeline"')]  # gaps
    for role in (R.INVESTIGATION_LEAD, R.COMMUNICATIONS_OWNER, R.DECISION_OWNER):
        services.role_assign(facilitator, incident, role=role, person=staff, started_at=incident.escalated_at)
    html = client.get(review.get_absolute_url()).content.decode()
    ownership = html[html.index('id="ownership"') : html.index('id="timeline"')]
    assert '<details class="fold">' in ownership and "every core role held" in ownership
    kept = client.get(review.get_absolute_url() + "?open=role").content.decode()
    assert '<details class="fold" open>' in kept[kept.index('id="ownership"') : kept.index('id="timeline"')]
    score_all(staff, review)
    services.review_publish(facilitator, review)
    client.force_login(staff)
    published = client.get(review.get_absolute_url()).content.decode()
    assert '<details class="fold">' not in published


# Publishing -------------------------------------------------------------------


def test_publishing_is_confirmed_with_what_is_still_open(fclient, facilitator, staff):
    kind, harsh, late = UserFactory(username="kind"), UserFactory(username="harsh"), UserFactory(username="late")
    review = in_review(facilitator, kind, harsh, late)
    score_all(kind, review, 5)
    score_all(harsh, review, 1)
    services.action_item_add(facilitator, review, title="Write the runbook", owner=staff, due_on=timezone.localdate())
    services.finding_add(facilitator, review, text="Sam was careless with the rollback")
    detail = fclient.get(review.get_absolute_url()).content.decode()
    confirm_url = reverse("reviews:publish-confirm", args=[review.pk])
    assert f'href="{confirm_url}"' in detail
    page = fclient.get(confirm_url).content.decode()
    assert "2 of 3 participants submitted" in page and late.get_full_name() in page.split("Not yet scored")[1]
    assert "spread 4 apart" in page
    assert "Write the runbook" in page and "careless" in page
    assert "Publish anyway" in page
    assert Review.objects.get(pk=review.pk).state == ReviewState.IN_REVIEW  # looking publishes nothing
    fclient.post(reverse("reviews:transition", args=[review.pk, "publish"]))
    assert Review.objects.get(pk=review.pk).state == ReviewState.PUBLISHED
    assert fclient.get(confirm_url)["Location"] == review.get_absolute_url()


# The language banner ----------------------------------------------------------


def test_the_language_warning_speaks_only_of_the_text_just_saved(fclient, facilitator, staff):
    review = make_review(facilitator, narrative="Sam was careless and should have known.")
    incident = review.incident
    url = reverse("reviews:add-entry", args=[review.pk])
    at = local(incident.escalated_at + timedelta(minutes=5))
    calm = fclient.post(
        url, {"entry-at": at, "entry-kind": "note", "entry-what": "Paged the database team"}, follow=True
    )
    assert "blameless language check found" not in calm.content.decode()  # the narrative did not change
    blaming = fclient.post(url, {"entry-at": at, "entry-kind": "note", "entry-what": "Sam was careless"}, follow=True)
    assert "blameless language check found" in blaming.content.decode()
    ActionItem.objects.all().delete()
    invite = fclient.post(reverse("reviews:invite", args=[review.pk]), {"invite-user": staff.pk}, follow=True)
    assert "blameless language check found" not in invite.content.decode()


def test_giving_the_same_recognition_twice_records_it_once(client, staff):
    from recognition.models import Recognition
    from tests.factories import TeamFactory

    team = TeamFactory(slug="support", name="Support")
    client.force_login(staff)
    data = {"team": team.pk, "category": "clear_ownership", "message": "Owned the comms end to end."}
    first, second = client.post("/recognition/give/", data), client.post("/recognition/give/", data)
    assert first.status_code == second.status_code == 302
    assert Recognition.objects.count() == 1


def test_the_api_says_a_role_left_open_was_held_until_the_resolution(api, facilitator, staff):
    review = make_review(facilitator, hours_ago=10)
    incident = review.incident
    resolved = incident.escalated_at + timedelta(hours=2)
    services.incident_update(facilitator, incident, version=incident.version, resolved_at=resolved)
    lead = R.INVESTIGATION_LEAD
    services.role_assign(facilitator, incident, role=lead, person=staff, started_at=incident.escalated_at)
    api.force_authenticate(facilitator)
    roles = api.get(f"/api/reviews/{review.pk}/").json()["ownership"]
    held = next(role for role in roles if role["role"] == lead)["history"][0]
    assert held["ended_at"] is None
    assert held["held_until"] is not None and held["held_until"].startswith(resolved.strftime("%Y-%m-%dT%H:%M"))


# Action items -----------------------------------------------------------------


def test_an_action_item_is_handed_over_and_moved_even_after_publishing(fclient, facilitator, staff):
    review = in_review(facilitator, staff)
    new_owner = UserFactory(username="nadia", first_name="Nadia", last_name="Ng")
    item = services.action_item_add(
        facilitator, review, title="Write the runbok", owner=staff, due_on=timezone.localdate() + timedelta(days=3)
    )
    score_all(staff, review)
    services.review_publish(facilitator, review)
    url = reverse("reviews:action-correct", args=[review.pk, item.pk])
    assert "Change…" in fclient.get(review.get_absolute_url()).content.decode()
    later = timezone.localdate() + timedelta(days=20)
    form = {"title": "Write the runbook", "owner": new_owner.pk, "due_on": later.isoformat(), "kind": item.kind}
    response = fclient.post(url, form | {"version": 1})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.owner, item.due_on, item.version) == ("Write the runbook", new_owner, later, 2)
    event = AuditEvent.objects.get(action="action_item.edited")
    assert event.changes["title"] == ["Write the runbok", "Write the runbook"] and "owner" in event.changes
    stale = fclient.post(url, form | {"title": "Stale", "version": 1})
    assert stale.status_code == 409 and "Someone else saved first" in stale.content.decode()
    extreme = fclient.post(url, form | {"due_on": "1000-01-01", "version": 2})
    assert extreme.status_code == 400 and Review.objects.filter(pk=review.pk).exists()


def test_the_api_changes_an_action_item_and_refuses_a_finding_of_another_review(api, facilitator, staff):
    review, other = make_review(facilitator), make_review(facilitator, title="Other")
    elsewhere = services.finding_add(facilitator, other, text="Elsewhere")
    item = services.action_item_add(facilitator, review, title="Do it", owner=staff, due_on=timezone.localdate())
    api.force_authenticate(facilitator)
    url = f"/api/action-items/{item.pk}/"
    assert api.patch(url, {"finding": elsewhere.pk, "version": 1}, format="json").status_code == 400
    assert api.patch(url, {"owner": "x", "version": 1}, format="json").status_code == 400
    assert api.patch(url, {"due_on": "99999-01-01", "version": 1}, format="json").status_code == 400
    response = api.patch(url, {"title": "Do it well", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "Do it well" and response["ETag"] == '"2"'
    api.force_authenticate(staff)
    assert api.patch(url, {"title": "Mine now", "version": 2}, format="json").status_code == 403


def test_a_json_list_with_if_match_is_a_clear_400(api, facilitator, staff):
    item = services.action_item_add(
        facilitator, make_review(facilitator), title="Do it", owner=staff, due_on=timezone.localdate()
    )
    api.force_authenticate(facilitator)
    for url, method in (
        (f"/api/action-items/{item.pk}/state/", api.post),
        (f"/api/action-items/{item.pk}/", api.patch),
    ):
        response = method(url, [1, 2], format="json", headers={"If-Match": '"1"'})
        assert response.status_code == 400 and "JSON object" in response.content.decode()


def test_a_finding_patch_with_only_the_version_keeps_the_text(api, facilitator):
    finding = services.finding_add(facilitator, make_review(facilitator), text="Kept")
    api.force_authenticate(facilitator)
    response = api.patch(f"/api/findings/{finding.pk}/", {"version": 1}, format="json")
    assert response.status_code == 200 and response.json()["text"] == "Kept"


def test_the_home_page_says_where_each_running_review_stands(fclient, facilitator, staff):
    other = UserFactory(username="other")
    drafted = make_review(facilitator, title="Still a draft")
    running = in_review(facilitator, staff, other)
    score_all(staff, running)
    home = fclient.get("/").content.decode()
    assert "Draft · nobody invited yet" in home and "In review · 1 of 2 scored" in home
    assert drafted.incident.title in home


def test_publishing_twice_by_a_double_click_says_published(fclient, facilitator, staff):
    review = in_review(facilitator, staff)
    score_all(staff, review)
    url = reverse("reviews:transition", args=[review.pk, "publish"])
    fclient.post(url)
    again = fclient.post(url, follow=True).content.decode()
    assert "Published. The review is now readable by everyone." in again
    assert "Only a review in review can be published" not in again


def test_the_header_says_nobody_holds_a_role_given_up_with_no_successor(fclient, facilitator, staff):
    review = make_review(facilitator)
    incident = review.incident
    lead = services.role_assign(
        facilitator, incident, role=R.INVESTIGATION_LEAD, person=staff, started_at=incident.escalated_at
    )
    services.role_end(facilitator, lead, ended_at=incident.escalated_at + timedelta(minutes=20))
    html = fclient.get(review.get_absolute_url()).content.decode()
    head = html[html.index('<header class="review-head"') : html.index("</header>", html.index("review-head"))]
    assert "Nobody now" in head and staff.get_full_name() not in head


def test_the_confirmation_says_what_stops_publishing_and_offers_no_button(fclient, facilitator, staff):
    review = in_review(facilitator, staff)  # nobody has scored yet
    page = fclient.get(reverse("reviews:publish-confirm", args=[review.pk])).content.decode()
    assert "It cannot be published yet" in page and "at least one participant has submitted" in page
    assert "Publish anyway" not in page and reverse("reviews:transition", args=[review.pk, "publish"]) not in page
