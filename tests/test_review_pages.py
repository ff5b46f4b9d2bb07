"""The review pages: forms, errors, conflicts, visibility and query counts."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from reviews import services
from reviews.models import OwnershipRole as R
from reviews.models import Review, ReviewState
from tests.factories import MembershipFactory, TeamFactory, UserFactory, make_review

SIX = dict.fromkeys(range(1, 7), (4, ""))


def local(dt):
    """A datetime as the browser's datetime-local input sends it."""
    return (timezone.localtime(dt) if timezone.is_aware(dt) else dt).strftime("%Y-%m-%dT%H:%M")


def published(facilitator, **overrides):
    review = make_review(facilitator, **overrides)
    participant = UserFactory()
    services.participant_invite(facilitator, review, invitee=participant)
    services.review_start(facilitator, review)
    services.scores_save(participant, review, scores=SIX, submit=True)
    services.review_update(facilitator, review, version=review.version + 1, narrative="What happened.")
    return services.review_publish(facilitator, review)


def test_create_review_through_the_form(fclient):
    escalated = timezone.now() - timedelta(hours=3)
    team = TeamFactory(slug="payments", name="Payments")
    response = fclient.post(
        "/reviews/new/",
        {
            "title": "Card declines for Acme",
            "customer": "Acme",
            "severity": "sev1",
            "team": team.pk,
            "escalated_at": local(escalated),
            "first_customer_update_at": local(escalated + timedelta(minutes=30)),
            "narrative": "Sam should have rolled back sooner.",
        },
    )
    review = Review.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reviews/{review.pk}/"
    page = fclient.get(response["Location"]).content.decode()
    assert "Card declines for Acme" in page
    assert "30 min" in page  # time to first update, derived
    assert "blameless language check found" in page  # warned, and saved anyway
    assert review.narrative == "Sam should have rolled back sooner."


def test_form_errors_are_shown_on_the_fields_and_nothing_is_created(fclient):
    escalated = timezone.now() - timedelta(hours=3)
    response = fclient.post(
        "/reviews/new/",
        {
            "title": "",
            "customer": "Acme",
            "severity": "sev2",
            "escalated_at": local(escalated),
            "resolved_at": local(escalated - timedelta(hours=1)),
            "satisfaction": "9",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert "Ensure this value is less than or equal to 5." in html
    assert Review.objects.count() == 0
    response = fclient.post(
        "/reviews/new/",
        {
            "title": "T",
            "customer": "Acme",
            "severity": "sev2",
            "escalated_at": local(escalated),
            "resolved_at": local(escalated - timedelta(hours=1)),
        },
    )
    assert "cannot be before the escalation" in response.content.decode()
    assert Review.objects.count() == 0


def test_staff_cannot_open_the_create_page(client, staff):
    client.force_login(staff)
    assert client.get("/reviews/new/").status_code == 403


def test_drafts_are_hidden_from_staff_published_reviews_are_open(client, staff, facilitator):
    draft = make_review(facilitator, title="Draft one")
    public = published(facilitator, title="Published one")
    client.force_login(staff)
    assert client.get(f"/reviews/{draft.pk}/").status_code == 404
    assert client.get(f"/reviews/{public.pk}/").status_code == 200
    html = client.get("/reviews/").content.decode()
    assert "Published one" in html and "Draft one" not in html
    assert "Language check" not in client.get(f"/reviews/{public.pk}/").content.decode()
    assert client.post(f"/reviews/{public.pk}/findings/", {"finding-text": "x"}).status_code == 403


def test_list_filters_and_search(fclient, facilitator):
    team = TeamFactory(slug="sre", name="SRE")
    a = make_review(facilitator, title="Payments down", severity="sev1", team=team)
    services.finding_add(facilitator, a, text="The rollback runbook was missing a step")
    make_review(facilitator, title="Slow exports", severity="sev3", is_exercise=True)

    def titles(query):
        html = fclient.get("/reviews/?" + query).content.decode()
        return [t for t in ("Payments down", "Slow exports") if t in html]

    assert titles("") == ["Payments down", "Slow exports"]
    assert titles("severity=sev1") == ["Payments down"]
    assert titles("team=sre") == ["Payments down"]
    assert titles("q=runbook") == ["Payments down"]  # found through a finding
    assert titles("exercise=yes") == ["Slow exports"]
    assert titles("exercise=no") == ["Payments down"]
    assert titles("state=published") == []
    assert "No reviews match" in fclient.get("/reviews/?q=nothing-like-this").content.decode()


def test_role_form_errors_keep_the_page_and_the_input(fclient, facilitator, staff):
    review = make_review(facilitator)
    before = review.incident.escalated_at - timedelta(minutes=5)
    response = fclient.post(
        f"/reviews/{review.pk}/roles/",
        {"role-role": R.DECISION_OWNER, "role-person": staff.pk, "role-started_at": local(before)},
    )
    # Post/redirect/get: the page shows the form again, open, with what was typed and what is wrong.
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.pk}/?open=role&at=ownership#ownership"
    html = fclient.get(response["Location"]).content.decode()
    assert "A role cannot be held before the escalation" in html
    assert '<details class="add" id="add-role" open>' in html
    assert f'<option value="{staff.pk}" selected>' in html
    again = fclient.get(f"/reviews/{review.pk}/").content.decode()
    assert "A role cannot be held before the escalation" not in again  # shown once


def test_ownership_gaps_and_timeline_merge(fclient, facilitator, staff):
    review = make_review(facilitator)
    start = review.incident.escalated_at + timedelta(minutes=10)
    fclient.post(
        f"/reviews/{review.pk}/roles/",
        {"role-role": R.INVESTIGATION_LEAD, "role-person": staff.pk, "role-started_at": local(start)},
    )
    fclient.post(
        f"/reviews/{review.pk}/timeline/",
        {"entry-at": local(start), "entry-kind": "decision", "entry-who": "Ops", "entry-what": "Rolled back"},
    )
    html = fclient.get(f"/reviews/{review.pk}/").content.decode()
    assert html.count("Nobody held this role.") == 4  # four of five roles are gaps
    assert "took the investigation lead role" in html  # role change on the timeline, typed once
    assert "Rolled back" in html and "Escalated" in html


def test_two_facilitators_editing_the_same_review(facilitator):
    other = UserFactory(username="other-facilitator", roles=["facilitators"])
    review = make_review(facilitator, title="Original")
    first, second = Client(), Client()
    first.force_login(facilitator)
    second.force_login(other)
    form_one = first.get(f"/reviews/{review.pk}/edit/").context["form"]
    form_two = second.get(f"/reviews/{review.pk}/edit/").context["form"]

    def data(form, **changes):
        values = {name: form[name].value() for name in form.fields}
        values = {k: ("" if v is None else v) for k, v in values.items()}
        for name in ("escalated_at", "acknowledged_at", "first_customer_update_at", "resolved_at"):
            if values[name]:
                values[name] = local(values[name])
        values["team"] = values["team"] or ""
        values.pop("is_exercise")
        return values | changes

    assert first.post(f"/reviews/{review.pk}/edit/", data(form_one, title="First wins")).status_code == 302
    response = second.post(f"/reviews/{review.pk}/edit/", data(form_two, title="Second loses"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved first" in html
    assert "First wins" in html and "Second loses" in html  # both versions shown
    review.incident.refresh_from_db()
    assert review.incident.title == "First wins"


def test_participant_scores_through_the_page(client, facilitator):
    review = make_review(facilitator)
    pat = UserFactory(username="pat")
    services.participant_invite(facilitator, review, invitee=pat)
    services.review_start(facilitator, review)
    client.force_login(pat)
    assert "Others' scores stay hidden until you submit yours." in client.get(f"/reviews/{review.pk}/").content.decode()
    response = client.post(f"/reviews/{review.pk}/scores/", {"score_1": "4", "submit": "1"}, follow=True)
    assert response.redirect_chain == [(f"/reviews/{review.pk}/?at=scores#scores", 302)]
    assert "Score every dimension before submitting." in response.content.decode()
    assert '<input type="radio" name="score_1" value="4" id="id_score_1_3" checked>' in response.content.decode()
    data = {f"score_{d}": "3" for d in range(1, 7)} | {"evidence_1": "Two people paged the customer", "submit": "1"}
    assert client.post(f"/reviews/{review.pk}/scores/", data).status_code == 302
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "Overall ownership-clarity score" in html
    assert review.participants.get(user=pat).submitted_at is not None


def test_wide_spread_is_highlighted(client, facilitator):
    review = make_review(facilitator)
    a, b = UserFactory(), UserFactory()
    for user in (a, b):
        services.participant_invite(facilitator, review, invitee=user)
    services.review_start(facilitator, review)
    services.scores_save(a, review, scores=dict.fromkeys(range(1, 7), (1, "")), submit=True)
    services.scores_save(b, review, scores=dict.fromkeys(range(1, 7), (5, "")), submit=True)
    client.force_login(facilitator)
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    assert html.count("Wide: people disagree") == 6


def test_publish_and_amend_through_the_pages(fclient, facilitator):
    review = make_review(facilitator)
    response = fclient.post(f"/reviews/{review.pk}/publish/", follow=True)
    assert response.redirect_chain == [(f"/reviews/{review.pk}/", 302)]
    assert "Only a review in review can be published" in response.content.decode()
    review = published(facilitator, title="To amend")
    response = fclient.post(
        f"/reviews/{review.pk}/amend/", {"narrative": "Better text.", "reason": "", "version": review.version}
    )
    assert response.status_code == 400
    response = fclient.post(
        f"/reviews/{review.pk}/amend/", {"narrative": "Better text.", "reason": "Clearer", "version": review.version}
    )
    assert response.status_code == 302
    html = fclient.get(f"/reviews/{review.pk}/").content.decode()
    assert "What happened." in html and "Better text." in html  # earlier text still visible
    assert Review.objects.get(pk=review.pk).state == ReviewState.AMENDED


def test_action_items_owner_marks_done_and_overdue_items_are_marked(client, facilitator, staff):
    review = make_review(facilitator)
    item = services.action_item_add(
        facilitator, review, title="Fix the pager rota", owner=staff, due_on=timezone.localdate(), kind="training"
    )
    type(item).objects.filter(pk=item.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    services.participant_invite(facilitator, review, invitee=staff)
    client.force_login(staff)
    home = client.get("/").content.decode()
    assert "Fix the pager rota" in home and "Overdue since" in home
    assert "Overdue" in client.get(f"/reviews/{review.pk}/").content.decode()
    response = client.post(
        f"/reviews/{review.pk}/actions/{item.pk}/state/", {"state": "dropped", "version": 1}, follow=True
    )
    assert response.redirect_chain == [(f"/reviews/{review.pk}/?at=actions#actions", 302)]
    assert "Say why the action item is dropped." in response.content.decode()
    assert (
        client.post(f"/reviews/{review.pk}/actions/{item.pk}/state/", {"state": "done", "version": 1}).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.state == "done"


def test_language_hits_are_listed_and_can_be_dismissed(fclient, facilitator):
    review = make_review(facilitator, narrative="We should have paged the decision owner.")
    html = fclient.get(f"/reviews/{review.pk}/").content.decode()
    assert "<mark>should have</mark>" in html
    response = fclient.post(f"/reviews/{review.pk}/language/dismiss/", {"phrase": "should have", "reason": "Quote"})
    assert response.status_code == 302
    html = fclient.get(f"/reviews/{review.pk}/").content.decode()
    assert "<mark>should have</mark>" not in html and "No blaming wording found." in html


def _grow(facilitator, review, n):
    people = [UserFactory() for _ in range(n)]
    base = review.incident.escalated_at
    for i, person in enumerate(people):
        services.role_assign(
            facilitator,
            review.incident,
            role=list(R)[i % 5],
            person=person,
            started_at=base + timedelta(minutes=10 * (i + 1)),
        )
        services.timeline_entry_add(
            facilitator, review.incident, at=base + timedelta(minutes=i), kind="note", what=f"n{i}"
        )
        services.participant_invite(facilitator, review, invitee=person)
        services.finding_add(facilitator, review, text=f"finding {i}")
        services.action_item_add(
            facilitator, review, title=f"a{i}", owner=person, due_on=timezone.localdate(), kind="other"
        )
    if review.state == ReviewState.DRAFT:
        services.review_start(facilitator, review)
    for person in people:
        services.scores_save(person, review, scores=SIX, submit=True)


def test_review_page_query_count_is_constant(fclient, facilitator, django_assert_max_num_queries):
    small, large = make_review(facilitator, title="small"), make_review(facilitator, title="large")
    _grow(facilitator, small, 2)
    _grow(facilitator, large, 12)
    with django_assert_max_num_queries(60) as captured:
        fclient.get(f"/reviews/{small.pk}/")
    with django_assert_max_num_queries(len(captured.captured_queries)):
        response = fclient.get(f"/reviews/{large.pk}/")
    assert response.content.decode().count("finding 1") >= 1


def test_review_list_query_count_is_constant(client, staff, facilitator, django_assert_max_num_queries):
    MembershipFactory(user=staff)
    client.force_login(staff)
    for i in range(2):
        published(facilitator, title=f"R{i}", team=TeamFactory())
    with django_assert_max_num_queries(30) as captured:
        client.get("/reviews/")
    for i in range(2, 20):
        published(facilitator, title=f"R{i}", team=TeamFactory())
    with django_assert_max_num_queries(len(captured.captured_queries)):
        response = client.get("/reviews/")
    assert response.content.decode().count('class="state state-published"') == 20


def test_times_are_entered_in_the_users_time_zone_and_stored_in_utc(fclient):
    from datetime import UTC, datetime

    fclient.cookies["baton_tz"] = "Europe%2FBerlin"
    response = fclient.post(
        "/reviews/new/",
        {"title": "TZ", "customer": "Acme", "severity": "sev2", "escalated_at": "2026-01-15T10:00"},
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.incident.escalated_at == datetime(2026, 1, 15, 9, 0, tzinfo=UTC)  # CET is UTC+1 in January
    html = fclient.get(f"/reviews/{review.pk}/edit/").content.decode()
    assert 'value="2026-01-15T10:00"' in html  # shown back in Berlin time
    assert 'Milestones <span class="optional">(Europe/Berlin)</span>' in html


def test_a_playbook_change_action_links_to_a_prefilled_revision(fclient, facilitator, staff, governance):
    from playbook.models import Revision
    from tests.test_playbook_services import new_section

    section = new_section(staff, governance)
    review = make_review(facilitator, playbook_section=section)
    item = services.action_item_add(
        facilitator,
        review,
        title="Name the decision owner",
        owner=staff,
        due_on=timezone.localdate(),
        kind="playbook_change",
    )
    html = fclient.get(f"/reviews/{review.pk}/").content.decode()
    link = f"/playbook/{section.slug}/propose/?action={item.pk}"
    assert link in html
    form = fclient.get(link).context["form"]
    assert form.initial["rationale"] == "From a post-incident review's action item: "  # read by everyone: no titles
    data = {name: form[name].value() or "" for name in form.fields} | {"rationale": form.initial["rationale"]}
    assert fclient.post(link, data).status_code == 302
    revision = Revision.objects.get(prompted_by_action=item)
    assert revision.prompted_by_review == review
    assert f"revision #{revision.pk}" in fclient.get(f"/reviews/{review.pk}/").content.decode()


def test_a_facilitator_corrects_ends_and_removes_a_role_on_the_page(fclient, facilitator, staff):
    review = make_review(facilitator, escalated_at=timezone.now().replace(second=0, microsecond=0) - timedelta(days=2))
    escalated = review.incident.escalated_at
    lead = services.role_assign(
        facilitator,
        review.incident,
        role=R.INVESTIGATION_LEAD,
        person=facilitator,
        started_at=escalated + timedelta(minutes=5),
    )
    page = fclient.get(f"/reviews/{review.pk}/").content.decode()
    assert f"/reviews/{review.pk}/roles/{lead.pk}/" in page
    corrected = fclient.post(
        f"/reviews/{review.pk}/roles/{lead.pk}/",
        {
            "person": staff.pk,
            "started_at": local(escalated + timedelta(minutes=7)),
            "ended_at": "",
            "handover_note": "Took it from the queue",
        },
    )
    assert corrected.status_code == 302
    lead.refresh_from_db()
    assert lead.person == staff and lead.started_at == escalated + timedelta(minutes=7)
    ended = fclient.post(f"/reviews/{review.pk}/roles/{lead.pk}/end/", {"end-ended_at": local(escalated)})
    assert ended.status_code == 400 and "after the start" in ended.content.decode()
    ended = fclient.post(
        f"/reviews/{review.pk}/roles/{lead.pk}/end/", {"end-ended_at": local(escalated + timedelta(minutes=30))}
    )
    assert ended.status_code == 302
    lead.refresh_from_db()
    assert lead.ended_at == escalated + timedelta(minutes=30)
    assert fclient.post(f"/reviews/{review.pk}/roles/{lead.pk}/remove/").status_code == 302
    assert not review.incident.assignments.exists()
