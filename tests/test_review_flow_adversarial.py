"""The review page's new flows under hostile or unlucky input: one-time submissions, the form
stash, folded sections, the Cache-Control of signed-in answers and the new endpoints."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Submission
from reviews import services
from reviews.models import MAX_TEXT, ActionState, EntryKind, Finding, OwnershipRole, Participant, Review
from tests.factories import UserFactory, make_review
from tests.test_browser import sign_in
from tests.test_review_flow import in_review, local

pytestmark = pytest.mark.django_db
R = OwnershipRole


def section(html, anchor, following):
    return html[html.index(f'id="{anchor}"') : html.index(f'id="{following}"')]


# One-time submissions (core/once.py) -------------------------------------------------------


def test_a_form_whose_values_were_already_sent_can_be_sent_again_from_the_same_page(fclient, facilitator):
    """Values sent under a first token, then under a second (Back refetched the form), then the
    second page once more (a double click): the second token's claim must not break the third."""
    review = make_review(facilitator)
    url = reverse("reviews:add-finding", args=[review.pk])
    fclient.post(url, {"finding-text": "Nobody owned the update", "once": str(uuid.uuid4())})
    second_page = {"finding-text": "Nobody owned the update", "once": str(uuid.uuid4())}
    assert fclient.post(url, second_page).status_code == 302
    assert fclient.post(url, second_page).status_code == 302
    assert Finding.objects.count() == 1


def test_a_repeat_recognised_by_its_values_leaves_no_claim_that_leads_nowhere(fclient, facilitator):
    review = make_review(facilitator)
    url = reverse("reviews:add-finding", args=[review.pk])
    for _ in range(2):
        fclient.post(url, {"finding-text": "Nobody owned the update", "once": str(uuid.uuid4())})
    assert not Submission.objects.filter(url="").exists()


def test_other_words_sent_with_a_used_token_are_saved_not_dropped(fclient, facilitator):
    """Back restores the form with its used token; the facilitator types the next finding."""
    review = make_review(facilitator)
    url = reverse("reviews:add-finding", args=[review.pk])
    token = str(uuid.uuid4())
    fclient.post(url, {"finding-text": "The first finding", "once": token})
    fclient.post(url, {"finding-text": "A different, second finding", "once": token})
    assert sorted(Finding.objects.values_list("text", flat=True)) == [
        "A different, second finding",
        "The first finding",
    ]


def test_a_participant_taken_back_by_mistake_can_be_invited_again(fclient, facilitator, staff):
    review = make_review(facilitator)
    invite = reverse("reviews:invite", args=[review.pk])
    fclient.post(invite, {"invite-user": staff.pk, "once": str(uuid.uuid4())})
    participant = Participant.objects.get(review=review, user=staff)
    fclient.post(reverse("reviews:participant-remove", args=[review.pk, participant.pk]))
    fclient.post(invite, {"invite-user": staff.pk, "once": str(uuid.uuid4())})  # a fresh page
    assert Participant.objects.filter(review=review, user=staff).exists()


def test_a_finding_removed_and_recorded_again_is_recorded(fclient, facilitator):
    review = make_review(facilitator)
    url = reverse("reviews:add-finding", args=[review.pk])
    fclient.post(url, {"finding-text": "Nobody owned the update", "once": str(uuid.uuid4())})
    fclient.post(reverse("reviews:finding-remove", args=[review.pk, Finding.objects.get().pk]))
    fclient.post(url, {"finding-text": "Nobody owned the update", "once": str(uuid.uuid4())})
    assert Finding.objects.count() == 1


@pytest.mark.parametrize("token", ["", "not-a-uuid", "\x00", "x" * 100_000, "urn:uuid:" + "0" * 32])
def test_a_token_of_any_shape_is_not_a_500(fclient, facilitator, token):
    review = make_review(facilitator)
    url = reverse("reviews:add-finding", args=[review.pk])
    response = fclient.post(url, {"finding-text": "Nobody owned the update", "once": token})
    assert response.status_code in (302, 400)


def test_list_valued_fields_are_not_a_500(fclient, facilitator):
    review = make_review(facilitator)
    url = reverse("reviews:add-finding", args=[review.pk])
    response = fclient.post(url, {"finding-text": ["one", "two"], "once": [str(uuid.uuid4()), "x"]})
    assert response.status_code == 302


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two requests race on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_pages_sending_the_same_values_at_once_create_once_and_leave_no_empty_claim(facilitator):
    review = make_review(facilitator)
    url = reverse("reviews:add-finding", args=[review.pk])
    barrier = threading.Barrier(2)
    statuses = []

    def send():
        try:
            browser = Client()
            browser.force_login(facilitator)
            barrier.wait()
            statuses.append(browser.post(url, {"finding-text": "Same words", "once": str(uuid.uuid4())}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302] and Finding.objects.count() == 1
    assert not Submission.objects.filter(url="").exists()


# The stash of a failed form ------------------------------------------------------------------


def test_a_stash_is_not_shown_on_another_review(fclient, facilitator):
    review, other = make_review(facilitator), make_review(facilitator, title="Other")
    fclient.post(reverse("reviews:add-finding", args=[review.pk]), {"finding-text": "   "})
    html = fclient.get(other.get_absolute_url()).content.decode()
    assert "This field is required" not in html


@pytest.mark.parametrize("text", ["bad\x00text", ["   ", "\x00"]])
def test_a_stash_of_strange_input_comes_back_without_a_500(fclient, facilitator, text):
    review = make_review(facilitator)
    response = fclient.post(reverse("reviews:add-finding", args=[review.pk]), {"finding-text": text}, follow=True)
    assert response.status_code == 200 and 'class="field-error' in response.content.decode()


def test_a_stash_written_by_another_version_of_a_form_still_shows_the_page(fclient, facilitator):
    review = make_review(facilitator)
    session = fclient.session
    session["reviews.unsaved"] = {
        str(review.pk): {
            "finding_form": {
                "data": {"finding-gone": ["x"], "finding-text": ["kept words"]},
                "errors": {
                    "gone": [{"message": "Old field", "code": ""}],
                    "__all__": [{"message": "Whole", "code": ""}],
                },
            },
            "role_form": {"data": {}, "errors": {}},
            "unknown": 1,
        }
    }
    session.save()
    response = fclient.get(review.get_absolute_url())
    assert response.status_code == 200 and "kept words" in response.content.decode()
    for broken in ({str(review.pk): "text"}, {str(review.pk): {"finding_form": {"data": 3}}}, ["a list"]):
        session = fclient.session
        session["reviews.unsaved"] = broken
        session.save()
        assert fclient.get(review.get_absolute_url()).status_code == 200


def test_the_stash_keeps_only_the_form_s_own_fields(fclient, facilitator):
    """The session holds what the form needs, not whatever else the POST carried."""
    review = make_review(facilitator)
    filler = {f"junk{i}": "x" * 1000 for i in range(200)}
    fclient.post(reverse("reviews:add-finding", args=[review.pk]), {"finding-text": "   "} | filler)
    stash = fclient.session["reviews.unsaved"][str(review.pk)]["finding_form"]["data"]
    assert set(stash) <= {"finding-text"}


# Folded sections ----------------------------------------------------------------------------


def ready_timeline(facilitator, staff):
    """A review in review whose milestones are all in: its timeline folds for the facilitator."""
    now = timezone.now().replace(microsecond=0)
    review = in_review(
        facilitator,
        staff,
        hours_ago=10,
        acknowledged_at=now - timedelta(hours=9),
        first_customer_update_at=now - timedelta(hours=9),
        resolved_at=now - timedelta(hours=8),
    )
    incident = review.incident
    for role in (R.INVESTIGATION_LEAD, R.COMMUNICATIONS_OWNER, R.DECISION_OWNER):
        services.role_assign(facilitator, incident, role=role, person=staff, started_at=incident.escalated_at)
    services.timeline_entry_add(facilitator, incident, at=incident.escalated_at, what="Rolled back", kind="decision")
    services.timeline_entry_add(facilitator, incident, at=incident.escalated_at, what="Told them", kind="note")
    return review


def test_the_timeline_is_folded_once_its_milestones_are_in(fclient, facilitator, staff):
    review = ready_timeline(facilitator, staff)
    html = fclient.get(review.get_absolute_url()).content.decode()
    assert '<details class="fold">' in section(html, "timeline", "scores")


def test_filtering_a_folded_timeline_shows_the_filtered_timeline(fclient, facilitator, staff):
    review = ready_timeline(facilitator, staff)
    html = fclient.get(review.get_absolute_url() + f"?kind={EntryKind.DECISION}").content.decode()
    timeline = section(html, "timeline", "scores")
    assert "Rolled back" in timeline and '<details class="fold" open>' in timeline


def test_an_action_item_s_refused_state_change_is_shown_in_an_open_section(fclient, facilitator, staff):
    review = make_review(facilitator)
    item = services.action_item_add(facilitator, review, title="Runbook", owner=staff, due_on=timezone.localdate())
    services.action_item_set_state(facilitator, item, state=ActionState.DONE)
    url = reverse("reviews:action-state", args=[review.pk, item.pk])
    html = fclient.post(url, {"state": ActionState.DROPPED, "dropped_reason": "", "version": 2}, follow=True)
    html = html.content.decode()
    actions = html[html.index('id="actions"') :]
    assert 'role="alert"' in actions  # the refusal is on the page ...
    assert '<details class="fold" open>' in actions  # ... in a section that is open


def test_a_corrected_timeline_entry_is_shown_in_an_open_timeline(fclient, facilitator, staff):
    """The facilitator was working in the timeline: it must not fold under them after a save."""
    review = ready_timeline(facilitator, staff)
    entry = review.incident.entries.get(what="Told them")
    url = reverse("reviews:entry-correct", args=[review.pk, entry.pk])
    data = {"at": local(entry.at), "kind": entry.kind, "who": "", "what": "Told the customer", "version": 1}
    landed = fclient.post(url, data, follow=True).content.decode()
    assert "Told the customer" in landed
    assert '<details class="fold" open>' in section(landed, "timeline", "scores")


# The language warning -----------------------------------------------------------------------


def test_a_corrected_handover_note_that_blames_is_warned_about(fclient, facilitator, staff):
    review = make_review(facilitator)
    incident = review.incident
    assignment = services.role_assign(
        facilitator, incident, role=R.INVESTIGATION_LEAD, person=staff, started_at=incident.escalated_at
    )
    url = reverse("reviews:role-correct", args=[review.pk, assignment.pk])
    data = {
        "person": staff.pk,
        "started_at": local(incident.escalated_at),
        "ended_at": "",
        "handover_note": "Sam was careless and should have known.",
    }
    response = fclient.post(url, data, follow=True)
    assert "blameless language check found" in response.content.decode()


# Services: the review's lock and state ------------------------------------------------------


def test_a_finding_of_a_review_published_meanwhile_is_not_removed(facilitator, staff):
    review = in_review(facilitator, staff)
    finding = services.finding_add(facilitator, review, text="Stays as published")
    finding = Finding.objects.select_related("review").get(pk=finding.pk)  # the page loaded it
    services.scores_save(staff, review, scores=dict.fromkeys(range(1, 7), (4, "seen")), submit=True)
    services.review_publish(facilitator, Review.objects.get(pk=review.pk))  # another tab publishes
    with pytest.raises(ValidationError):
        services.finding_delete(facilitator, finding)
    assert Finding.objects.filter(pk=finding.pk).exists()


# Cache-Control ------------------------------------------------------------------------------


def test_a_review_page_is_not_stored(fclient, facilitator):
    response = fclient.get(make_review(facilitator).get_absolute_url())
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("name", ["figures-csv", "snapshot-pdf"])
def test_downloads_for_a_signed_in_person_are_not_stored_either(fclient, facilitator, name):
    make_review(facilitator)
    response = fclient.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response.get("Cache-Control", "")


# New pages and endpoints: bad input ---------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["reviews:finding-correct", "reviews:action-correct", "reviews:finding-remove", "reviews:participant-remove"],
)
def test_an_id_too_large_for_the_database_is_a_404(fclient, facilitator, name):
    review = make_review(facilitator)
    url = reverse(name, args=[review.pk, 10**30])
    response = fclient.post(url) if name.endswith("remove") else fclient.get(url)
    assert response.status_code == 404


def test_a_publish_confirmation_of_a_hidden_review_is_a_404(client, facilitator, staff):
    review = make_review(facilitator)
    client.force_login(staff)
    assert client.get(reverse("reviews:publish-confirm", args=[review.pk])).status_code == 404


def test_a_reworded_finding_with_a_nul_character_is_refused(fclient, facilitator):
    review = make_review(facilitator)
    finding = services.finding_add(facilitator, review, text="Original")
    url = reverse("reviews:finding-correct", args=[review.pk, finding.pk])
    assert fclient.post(url, {"text": "bad\x00text", "version": 1}).status_code == 400


@pytest.mark.parametrize("value", [10**30, "abc", [1], {"id": 1}, True, -1])
def test_an_action_item_patch_with_a_strange_finding_is_a_400(api, facilitator, staff, value):
    review = make_review(facilitator)
    item = services.action_item_add(facilitator, review, title="Do it", owner=staff, due_on=timezone.localdate())
    api.force_authenticate(facilitator)
    assert api.patch(f"/api/action-items/{item.pk}/", {"finding": value}, format="json").status_code == 400


@pytest.mark.parametrize("text", ["\\ud800 lone surrogate", "x" * 1_000_000, "bad\\u0000text"])
def test_a_finding_patch_with_text_no_database_holds_is_a_400(api, facilitator, text):
    finding = services.finding_add(facilitator, make_review(facilitator), text="Kept")
    api.force_authenticate(facilitator)
    body = f'{{"text": "{text}", "version": 1}}'  # raw JSON: the test client cannot encode a lone surrogate
    response = api.patch(f"/api/findings/{finding.pk}/", data=body, content_type="application/json")
    assert response.status_code == 400 and Finding.objects.get(pk=finding.pk).text == "Kept"


def test_a_reworded_finding_is_held_to_the_length_the_api_allows(fclient, facilitator):
    review = make_review(facilitator)
    finding = services.finding_add(facilitator, review, text="Original")
    url = reverse("reviews:finding-correct", args=[review.pk, finding.pk])
    assert fclient.post(url, {"text": "x" * (MAX_TEXT + 1), "version": 1}).status_code == 400


def test_a_participant_whose_account_was_closed_can_be_taken_back_in_the_api(api, facilitator, staff):
    review = make_review(facilitator)
    services.participant_invite(facilitator, review, invitee=staff)
    staff.is_active = False
    staff.save()
    api.force_authenticate(facilitator)
    response = api.post(f"/api/reviews/{review.pk}/remove-participant/", {"user": staff.pk}, format="json")
    assert response.status_code == 204


def test_a_participant_of_another_review_is_not_removed_from_this_page(fclient, facilitator, staff):
    review, other = make_review(facilitator), make_review(facilitator, title="Other")
    participant = services.participant_invite(facilitator, other, invitee=staff)
    response = fclient.post(reverse("reviews:participant-remove", args=[review.pk, participant.pk]))
    assert response.status_code == 404 and Participant.objects.filter(pk=participant.pk).exists()


def test_a_new_owner_in_a_changed_action_item_is_only_an_active_person(fclient, facilitator, staff):
    review = make_review(facilitator)
    item = services.action_item_add(facilitator, review, title="Do it", owner=staff, due_on=timezone.localdate())
    gone = UserFactory(username="gone", is_active=False)
    url = reverse("reviews:action-correct", args=[review.pk, item.pk])
    form = {"title": "Do it", "owner": gone.pk, "due_on": timezone.localdate().isoformat(), "kind": item.kind}
    assert fclient.post(url, form | {"version": 1}).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"text": None, "version": 1},
        {"text": ["a"], "version": 1},
        {"text": "Fine", "version": 10**30},
        {"text": "Fine", "version": "1; DROP"},
        {"text": "Fine", "version": [1]},
        {"text": {"a": 1}},
    ],
)
def test_a_finding_patch_of_any_shape_is_answered_without_a_500(api, facilitator, body):
    finding = services.finding_add(facilitator, make_review(facilitator), text="Kept")
    api.force_authenticate(facilitator)
    response = api.patch(f"/api/findings/{finding.pk}/", body, format="json")
    assert response.status_code in (400, 409, 412) and Finding.objects.get(pk=finding.pk).text == "Kept"


@pytest.mark.parametrize(
    "body",
    [{"title": {"a": 1}}, {"due_on": ["2030-01-01"]}, {"kind": ["other"]}, {"owner": None}, {"version": 10**30}],
)
def test_an_action_item_patch_of_any_shape_is_answered_without_a_500(api, facilitator, staff, body):
    item = services.action_item_add(
        facilitator, make_review(facilitator), title="Do it", owner=staff, due_on=timezone.localdate()
    )
    api.force_authenticate(facilitator)
    response = api.patch(f"/api/action-items/{item.pk}/", body, format="json")
    assert response.status_code in (400, 409, 412)


@pytest.mark.parametrize("user", [[1], {"id": 1}, 10**30, None, "1\x00"])
def test_taking_back_a_participant_with_a_strange_user_is_a_400(api, facilitator, staff, user):
    review = make_review(facilitator)
    services.participant_invite(facilitator, review, invitee=staff)
    api.force_authenticate(facilitator)
    response = api.post(f"/api/reviews/{review.pk}/remove-participant/", {"user": user}, format="json")
    assert response.status_code == 400 and review.participants.exists()


# In the browser -----------------------------------------------------------------------------


@pytest.mark.browser
def test_the_findings_a_save_lands_on_are_not_under_the_sticky_header(page, facilitator, password):
    review = make_review(facilitator, narrative="The handover between shifts was not written down.")
    incident = review.incident
    for minute in range(15):
        services.timeline_entry_add(
            facilitator, incident, at=incident.escalated_at + timedelta(minutes=minute), what=f"Step {minute}"
        )
    sign_in(page, "facilitator", password)
    page.goto(review.get_absolute_url())
    page.get_by_label("New finding").fill("Nobody owned the customer update")
    page.get_by_role("button", name="Add finding").click()
    page.wait_for_url("**#findings")
    page.wait_for_timeout(300)
    header_bottom = page.evaluate("document.querySelector('.review-head').getBoundingClientRect().bottom")
    findings_top = page.evaluate("document.getElementById('findings').getBoundingClientRect().top")
    assert findings_top >= header_bottom


@pytest.mark.browser
def test_going_back_and_writing_the_next_finding_saves_it(page, facilitator, password):
    review = make_review(facilitator)
    sign_in(page, "facilitator", password)
    page.goto(review.get_absolute_url())
    page.get_by_label("New finding").fill("The first finding")
    page.get_by_role("button", name="Add finding").click()
    page.wait_for_url("**#findings")
    page.go_back()
    page.get_by_label("New finding").fill("The second finding")
    page.get_by_role("button", name="Add finding").click()
    page.wait_for_url("**#findings")
    assert sorted(Finding.objects.values_list("text", flat=True)) == ["The first finding", "The second finding"]


@pytest.mark.parametrize("name", ["reviews:publish-confirm", "reviews:detail"])
def test_the_page_s_queries_do_not_grow_with_its_participants(fclient, facilitator, name):
    def queries(people):
        review = in_review(facilitator, *[UserFactory() for _ in range(people)])
        for participant in review.participants.all():
            services.scores_save(participant.user, review, scores=dict.fromkeys(range(1, 7), (3, "seen")), submit=True)
            services.action_item_add(
                facilitator, review, title="Do it", owner=participant.user, due_on=timezone.localdate()
            )
        with CaptureQueriesContext(connection) as captured:
            assert fclient.get(reverse(name, args=[review.pk])).status_code == 200
        return len(captured)

    assert queries(2) == queries(6)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two requests race on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_requests_reclaiming_an_expired_token_at_once_are_not_a_500(facilitator):
    """A page kept for days and sent twice: both find the old claim and both replace it."""
    review = make_review(facilitator)
    url = reverse("reviews:add-finding", args=[review.pk])
    token = uuid.uuid4()
    old = Submission.objects.create(user=facilitator, token=token, url="/old/")
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    barrier = threading.Barrier(2)
    statuses = []

    def send(words):
        try:
            browser = Client(raise_request_exception=False)
            browser.force_login(facilitator)
            barrier.wait()
            statuses.append(browser.post(url, {"finding-text": words, "once": str(token)}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(f"Words {i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 302]
