"""What the playbook trusts: who sees a revision, what a revision may refer to, which task it
may answer, the shape of its structured content, the API's defaults and names, and the cycle
the cycle page opens on."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import JSONField, Value
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from playbook import services
from playbook.models import ReviewCycle, ReviewTask, Revision, RevisionState, Section, SectionVersion, TaskState
from reviews import services as review_services
from tests.factories import TeamFactory, make_review
from tests.test_playbook_services import approve, new_section, propose

MALFORMED_MAPS = [
    pytest.param("x", id="a-string"),
    pytest.param(None, id="null"),
    pytest.param(["decision_owner"], id="a-list"),
    pytest.param({"decision_owner": "x"}, id="an-entry-that-is-not-an-object"),
    pytest.param({"decision_owner": {"team": "Not a slug!"}}, id="a-team-that-is-not-an-id"),
    pytest.param({"decision_owner": {"team": 10**30}}, id="a-huge-number"),
    pytest.param({"decision_owner": {"team": {"nested": {"deeper": [1]}}}}, id="nested-objects"),
    pytest.param({"decision_owner": {"team": True}}, id="a-boolean"),
    pytest.param({"decision_owner": {"team": None, "colour": "red"}}, id="an-unknown-key"),
    pytest.param({"decision_owner": {"team": 987654}}, id="a-team-that-does-not-exist"),
]
STORED_MALFORMED_MAPS = [
    *MALFORMED_MAPS[:-1],
    pytest.param({"decision_owner": {"team": [1, 2], "person": {"a": 1}}}, id="unhashable-ids"),
    pytest.param({"decision_owner": {"person": -5}, 7: None}, id="a-negative-id"),
]


@pytest.fixture
def section(staff, governance):
    return new_section(staff, governance)


@pytest.fixture
def hidden_action(facilitator):
    """A playbook-change action item of a draft review that staff cannot open."""
    review = make_review(facilitator, title="Secret merger outage")
    return review_services.action_item_add(
        facilitator,
        review,
        title="Rename the merger runbook",
        owner=facilitator,
        due_on=timezone.localdate(),
        kind="playbook_change",
    )


@pytest.fixture
def task(section):
    services.cycle_reconcile(date(2026, 11, 3))
    return ReviewTask.objects.get(section=section)


def form_data(client, url):
    form = client.get(url).context["form"]
    return {name: form[name].value() or "" for name in form.fields} | {"rationale": "Because."}


# 1. Who sees a revision -------------------------------------------------------------


@pytest.mark.parametrize("page", ["", "edit/", "rebase/"])
def test_a_draft_revision_page_is_not_found_for_other_staff(client, section, staff, facilitator, page):
    draft = propose(staff, section, submit=False, pattern="My draft")
    client.force_login(facilitator)
    assert client.get(f"/playbook/revisions/{draft.pk}/{page}").status_code == 404


@pytest.mark.parametrize("action", ["submit", "withdraw", "approve", "reject", "rebase"])
def test_an_action_on_a_draft_revision_is_not_found_for_other_staff(client, section, staff, facilitator, action):
    draft = propose(staff, section, submit=False, pattern="My draft")
    client.force_login(facilitator)
    assert client.post(f"/playbook/revisions/{draft.pk}/{action}/", {"comment": "x"}).status_code == 404
    draft.refresh_from_db()
    assert draft.state == RevisionState.DRAFT


@pytest.mark.parametrize("reader", ["staff", "governance"])
def test_a_draft_revision_opens_for_its_author_and_governance(client, section, staff, reader, request):
    draft = propose(staff, section, submit=False, pattern="My draft")
    client.force_login(request.getfixturevalue(reader))
    assert client.get(f"/playbook/revisions/{draft.pk}/").status_code == 200


def test_a_submitted_revision_opens_for_every_signed_in_person(client, section, staff, facilitator):
    submitted = propose(staff, section, pattern="Submitted")
    client.force_login(facilitator)
    assert client.get(f"/playbook/revisions/{submitted.pk}/").status_code == 200


def test_the_api_hides_the_same_drafts_as_the_page(api, section, staff, facilitator):
    draft = propose(staff, section, submit=False, pattern="My draft")
    api.force_authenticate(facilitator)
    assert api.get(f"/api/playbook/revisions/{draft.pk}/").status_code == 404
    assert draft.pk not in [r["id"] for r in api.get("/api/playbook/revisions/").json()["results"]]


def test_a_section_page_does_not_list_other_peoples_draft_revisions(client, section, staff, facilitator):
    draft = propose(staff, section, submit=False, pattern="My draft")
    client.force_login(facilitator)
    assert f"/playbook/revisions/{draft.pk}/" not in client.get(f"/playbook/{section.slug}/").content.decode()


# 2. What a revision may refer to ---------------------------------------------------------


def test_a_revision_cannot_refer_to_an_action_item_of_a_review_its_author_cannot_open(section, staff, hidden_action):
    with pytest.raises(ValidationError) as error:
        services.revision_create(
            staff, section=section, content=section.current.content(), rationale="x", prompted_by_action=hidden_action
        )
    assert error.value.message_dict["prompted_by_action"] == ["You cannot refer to that action item."]


def test_a_revision_cannot_refer_to_a_review_its_author_cannot_open(section, staff, hidden_action):
    with pytest.raises(ValidationError) as error:
        services.revision_create(
            staff,
            section=section,
            content=section.current.content(),
            rationale="x",
            prompted_by_review=hidden_action.review,
        )
    assert "prompted_by_review" in error.value.message_dict


def test_the_api_refuses_an_action_item_of_a_hidden_review_as_it_refuses_an_unknown_one(
    api, section, staff, hidden_action
):
    api.force_authenticate(staff)
    answers = [
        api.post("/api/playbook/revisions/", {"section": section.slug, "rationale": "x", "prompted_by_action": pk})
        for pk in (hidden_action.pk, 987654)
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json() == {"prompted_by_action": ["You cannot refer to that action item."]}


def test_the_propose_form_shows_a_field_error_for_an_action_item_of_a_hidden_review(
    client, section, staff, hidden_action
):
    client.force_login(staff)
    url = f"/playbook/{section.slug}/propose/?action={hidden_action.pk}"
    response = client.post(url, form_data(client, url))
    assert response.status_code == 400
    assert "You cannot refer to that action item." in response.content.decode()
    assert not Revision.objects.filter(prompted_by_action=hidden_action).exists()


def test_the_propose_page_does_not_show_a_hidden_action_items_title(client, section, staff, hidden_action):
    client.force_login(staff)
    html = client.get(f"/playbook/{section.slug}/propose/?action={hidden_action.pk}").content.decode()
    assert "Rename the merger runbook" not in html and "Secret merger outage" not in html


@pytest.fixture
def prompted(section, facilitator, hidden_action):
    """A submitted revision by someone who may open the review, prompted by its action item."""
    return services.revision_create(
        facilitator,
        section=section,
        content=section.current.content() | {"pattern": "Merger"},
        rationale="x",
        prompted_by_action=hidden_action,
        submit=True,
    )


def test_a_revision_page_hides_the_prompting_action_item_from_a_reader_who_cannot_open_its_review(
    client, prompted, staff
):
    client.force_login(staff)
    html = client.get(f"/playbook/revisions/{prompted.pk}/").content.decode()
    assert "Rename the merger runbook" not in html and "Secret merger outage" not in html
    assert "an action item of a review you cannot open" in html


def test_a_revision_page_shows_the_prompting_action_item_to_a_reader_who_may_open_its_review(
    client, prompted, facilitator
):
    client.force_login(facilitator)
    html = client.get(f"/playbook/revisions/{prompted.pk}/").content.decode()
    assert "Rename the merger runbook" in html and "Secret merger outage" in html


@pytest.mark.parametrize(
    ("reader", "titles"),
    [("staff", [None, None]), ("facilitator", ["Rename the merger runbook", "Secret merger outage"])],
)
def test_the_api_gives_the_prompting_titles_only_to_a_reader_who_may_open_the_review(
    api, prompted, reader, titles, request
):
    api.force_authenticate(request.getfixturevalue(reader))
    data = api.get(f"/api/playbook/revisions/{prompted.pk}/").json()
    assert [data["prompted_by_action_title"], data["prompted_by_review_title"]] == titles
    listed = api.get("/api/playbook/revisions/").json()["results"]
    assert [r["prompted_by_action_title"] for r in listed if r["id"] == prompted.pk] == titles[:1]
    # The ids go with the titles: a hidden review's id (and its action item's) says it exists.
    assert (data["prompted_by_action"] is None) == (titles[0] is None)


def test_the_api_revision_list_reads_prompts_in_a_constant_number_of_queries(
    api, section, staff, facilitator, hidden_action, django_assert_max_num_queries
):
    def prompted_revision():
        services.revision_create(
            facilitator,
            section=section,
            content=section.current.content(),
            rationale="x",
            prompted_by_action=hidden_action,
            submit=True,
        )

    prompted_revision()
    api.force_authenticate(staff)
    with django_assert_max_num_queries(30) as few:
        api.get("/api/playbook/revisions/")
    for _ in range(5):
        prompted_revision()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/api/playbook/revisions/").json()["results"]) == 7


# 3. Which quarterly task a revision may answer ------------------------------------------------


def test_a_revision_cannot_answer_a_task_of_another_section(section, task, staff, governance):
    other = new_section(staff, governance, slug="database", pattern="Database down")
    with pytest.raises(ValidationError) as error:
        services.revision_create(
            staff, section=other, content=other.current.content(), rationale="x", review_task=task, submit=True
        )
    assert "review_task" in error.value.message_dict
    task.refresh_from_db()
    assert task.state == TaskState.OPEN


def test_a_revision_cannot_answer_someone_elses_task(section, task, facilitator):
    with pytest.raises(ValidationError) as error:
        services.revision_create(
            facilitator, section=section, content=section.current.content(), rationale="x", review_task=task
        )
    assert "review_task" in error.value.message_dict


def test_a_governance_owner_may_answer_a_task_assigned_to_someone_else(section, task, governance):
    revision = services.revision_create(
        governance, section=section, content=section.current.content(), rationale="x", review_task=task
    )
    assert revision.review_task == task


def test_the_api_refuses_someone_elses_task_and_approval_leaves_it_open(api, section, task, facilitator):
    api.force_authenticate(facilitator)
    response = api.post(
        "/api/playbook/revisions/", {"section": section.slug, "rationale": "x", "review_task": task.pk, "submit": True}
    )
    assert response.status_code == 400 and "review_task" in response.json()
    task.refresh_from_db()
    assert task.state == TaskState.OPEN


def test_staff_with_no_task_of_their_own_cannot_prefill_someone_elses_task(client, section, task, facilitator):
    client.force_login(facilitator)
    html = client.get(f"/playbook/{section.slug}/propose/?task={task.pk}").content.decode()
    assert "Part of your quarterly review" not in html


def test_a_governance_owner_answers_someone_elses_task_from_the_propose_page(client, section, task, governance):
    client.force_login(governance)
    url = f"/playbook/{section.slug}/propose/?task={task.pk}"
    assert client.post(url, form_data(client, url)).status_code == 302
    assert Revision.objects.get(review_task=task).author == governance


# 4. The shape of structured content ------------------------------------------------------------


@pytest.mark.parametrize("mapping", MALFORMED_MAPS)
def test_a_malformed_ownership_map_is_a_field_error(section, staff, mapping):
    with pytest.raises(ValidationError) as error:
        services.revision_create(
            staff, section=section, content=section.current.content() | {"ownership_map": mapping}, rationale="x"
        )
    assert list(error.value.message_dict) == ["ownership_map"]


@pytest.mark.parametrize("mapping", MALFORMED_MAPS)
def test_the_api_answers_400_naming_ownership_map_for_a_malformed_map(api, section, staff, mapping):
    api.force_authenticate(staff)
    body = {"section": section.slug, "rationale": "x", "ownership_map": mapping}
    response = api.post("/api/playbook/revisions/", body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["ownership_map"]
    draft = propose(staff, section, submit=False)
    response = api.patch(
        f"/api/playbook/revisions/{draft.pk}/", {"ownership_map": mapping, "version": draft.version}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["ownership_map"]


def test_a_well_formed_ownership_map_is_kept(section, staff):
    team = TeamFactory()
    mapping = {"decision_owner": {"team": team.pk, "person": staff.pk}, "internal_liaison": {"team": team.pk}}
    revision = propose(staff, section, ownership_map=mapping)
    assert revision.ownership_map == mapping


@pytest.mark.parametrize("field", ["target_first_update_minutes", "approvals_required", "recognise", "pattern"])
def test_a_content_value_of_the_wrong_type_is_a_field_error(section, staff, field):
    with pytest.raises(ValidationError) as error:
        services.revision_create(
            staff, section=section, content=section.current.content() | {field: {"a": [1]}}, rationale="x"
        )
    assert list(error.value.message_dict) == [field]


@pytest.mark.parametrize("mapping", STORED_MALFORMED_MAPS)
def test_a_malformed_ownership_map_saved_in_the_database_breaks_no_page(client, api, section, staff, mapping):
    approve_later = propose(staff, section, pattern="Stale after v2")
    revision = propose(staff, section, pattern="Mine")
    v2 = SectionVersion.objects.create(
        section=section, number=2, published_at=timezone.now(), published_by=staff, **section.current.content()
    )
    Section.objects.filter(pk=section.pk).update(current=v2)
    stored = Value(mapping, output_field=JSONField())  # JSON null too, not SQL NULL
    Revision.objects.filter(pk__in=[revision.pk, approve_later.pk]).update(ownership_map=stored)
    SectionVersion.objects.filter(section=section).update(ownership_map=stored)
    client.force_login(staff)
    api.force_authenticate(staff)
    urls = [
        f"/playbook/{section.slug}/",
        f"/playbook/{section.slug}/v1/",
        f"/playbook/{section.slug}/compare/?a=1&b=2",
        f"/playbook/{section.slug}/propose/",
        f"/playbook/revisions/{revision.pk}/",
        f"/playbook/revisions/{revision.pk}/edit/",
        f"/playbook/revisions/{approve_later.pk}/rebase/",
        f"/api/playbook/revisions/{revision.pk}/",
        "/api/playbook/revisions/",
        "/api/playbook/sections/",
        f"/api/playbook/sections/{section.slug}/",
        f"/api/playbook/sections/{section.slug}/versions/1/",
    ]
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


def test_approval_refuses_a_revision_whose_saved_ownership_map_is_malformed(section, staff, governance):
    revision = propose(staff, section, pattern="Broken")
    Revision.objects.filter(pk=revision.pk).update(ownership_map=["x"])
    with pytest.raises(ValidationError) as error:
        approve(governance, revision)
    assert "ownership_map" in error.value.message_dict
    assert Section.objects.get(pk=section.pk).current.number == 1


def test_restoring_a_version_with_a_malformed_map_is_an_error_message_not_a_crash(client, section, staff, governance):
    approve(governance, propose(staff, section, pattern="v2"))
    SectionVersion.objects.filter(section=section, number=1).update(ownership_map="x")
    client.force_login(staff)
    response = client.post(f"/playbook/{section.slug}/v1/restore/", follow=True)
    assert response.status_code == 200 and "ownership map" in response.content.decode().lower()


# 5. A field left out keeps the published value -------------------------------------------------


def test_a_field_left_out_of_an_api_create_keeps_the_published_value(api, staff, governance):
    section = new_section(staff, governance, approvals_required=3, recognise="Card payments fail")
    api.force_authenticate(staff)
    response = api.post(
        "/api/playbook/revisions/",
        {"section": section.slug, "rationale": "Faster", "target_first_update_minutes": 20},
        format="json",
    )
    assert response.status_code == 201, response.json()
    revision = Revision.objects.get(pk=response.json()["id"])
    assert revision.content() == section.current.content() | {"target_first_update_minutes": 20}
    assert [c["field"] for c in response.json()["changes"]] == ["target_first_update_minutes"]


# 6. The API names sections by slug ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["id-as-string", "id-as-number"])
def test_the_api_refuses_a_section_id_with_a_clear_message(api, section, staff, value):
    api.force_authenticate(staff)
    given = str(section.pk) if value == "id-as-string" else section.pk
    response = api.post("/api/playbook/revisions/", {"section": given, "rationale": "x"}, format="json")
    assert response.status_code == 400
    assert "slug" in response.json()["section"][0] and "/api/playbook/sections/" in response.json()["section"][0]


def test_the_api_takes_a_section_by_a_slug_that_looks_like_a_number(api, staff, governance):
    section = new_section(staff, governance, slug="2024")
    api.force_authenticate(staff)
    response = api.post("/api/playbook/revisions/", {"section": "2024", "rationale": "x"}, format="json")
    assert response.status_code == 201 and response.json()["section"] == section.slug


def test_a_new_section_revision_answers_section_null_as_the_schema_says(api, staff, db):
    api.force_authenticate(staff)
    body = {"new_slug": "brand-new", "new_owner": staff.pk, "pattern": "New", "rationale": "x"}
    response = api.post("/api/playbook/revisions/", body, format="json")
    assert response.status_code == 201 and response.json()["section"] is None
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["schemas"]["RevisionDetail"]["properties"]["section"]["nullable"] is True


# 7. The cycle page opens on the current cycle -------------------------------------------------------


@time_machine.travel("2026-11-03 09:00:00+00:00", tick=False)
def test_the_cycle_page_opens_on_the_cycle_containing_today(client, section, governance):
    services.cycle_reconcile(date(2026, 11, 3))
    services.cycle_reconcile(date(2027, 1, 5))  # next quarter's cycle, opened early
    client.force_login(governance)
    assert str(client.get("/playbook/cycle/").context["cycle"]) == "2026 Q4"


@time_machine.travel("2026-11-03 09:00:00+00:00", tick=False)
def test_the_cycle_page_falls_back_to_the_latest_cycle_that_has_started(client, section, governance):
    for day in (date(2026, 2, 1), date(2026, 5, 1), date(2027, 2, 1)):
        services.cycle_reconcile(day)
    client.force_login(governance)
    assert str(client.get("/playbook/cycle/").context["cycle"]) == "2026 Q2"


def test_the_cycle_page_still_opens_a_chosen_cycle(client, section, governance):
    services.cycle_reconcile(date(2026, 11, 3))
    services.cycle_reconcile(date(2027, 1, 5))
    chosen = ReviewCycle.objects.get(year=2027)
    client.force_login(governance)
    assert client.get(f"/playbook/cycle/?cycle={chosen.pk}").context["cycle"] == chosen


def test_the_prefilled_rationale_never_quotes_the_prompting_reviews_title(client, section, facilitator, hidden_action):
    client.force_login(facilitator)  # may open the draft review; the revision will be read by everyone
    html = client.get(f"/playbook/{section.slug}/propose/?action={hidden_action.pk}").content.decode()
    rationale = html.split('name="rationale"', 1)[1].split("</textarea>", 1)[0]
    assert "Secret merger outage" not in rationale and "action item" in rationale


@pytest.mark.parametrize("value", ["²", "١", "9" * 30, "-1"])
def test_ids_in_the_address_that_are_not_numbers_are_ignored_not_a_500(client, section, facilitator, value):
    client.force_login(facilitator)
    assert client.get(f"/playbook/{section.slug}/propose/", {"action": value, "task": value}).status_code == 200
    assert client.get("/recognition/", {"review": value}).status_code == 200
