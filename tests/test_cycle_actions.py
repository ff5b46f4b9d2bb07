"""The governance owner runs the quarterly cycle: reassign a task, remind its owner now, extend
its due date, complete it on the owner's behalf; who may decide a revision; an approved
revision's action item is done. Services first, then the pages and the API."""

import threading
from datetime import date, timedelta
from html import unescape
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections

from core.errors import Conflict
from core.models import AuditEvent, Notification
from core.roles import GOVERNANCE
from playbook import policy, selectors, services
from playbook.models import NoticeKind, ReviewTask, TaskNotice, TaskState
from reviews import services as review_services
from reviews.models import ActionItem, ActionKind, ActionState
from tests.factories import UserFactory, make_review
from tests.test_playbook_services import approve, new_section, propose

# The cycle of 2026 Q4 opens on 1 Oct; its tasks fall due on 31 Oct; "today" is 10 Nov.
TODAY = "2026-11-10 09:00:00+00:00"


def mails(about):
    """The mails that tell ``about``: alone (in the subject) or among others (a "• title" line)."""
    return [
        m
        for m in mail.outbox
        if any(about in line for line in [m.subject, *(line for line in m.body.splitlines() if line.startswith("• "))])
    ]


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def task(staff, governance):
    new_section(staff, governance)
    services.cycle_reconcile(date(2026, 10, 1))
    return ReviewTask.objects.select_related("cycle").get()


@pytest.fixture
def pat(db):
    return UserFactory(username="pat", first_name="Pat", last_name="Park")


def events(action):
    return list(AuditEvent.objects.filter(action=action))


def text(response):
    """The page as it reads (entities such as &#x27; unescaped)."""
    return unescape(response.content.decode())


# Reassigning -------------------------------------------------------------------------------


def test_a_governance_owner_reassigns_a_task_and_only_the_new_owner_is_mailed_once(
    task, governance, pat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        task = services.task_reassign(governance, task, assignee=pat, version=task.version, note="Sam is on leave")
    assert len(callbacks) == 1  # the mail is enqueued after commit
    task.refresh_from_db()
    assert (task.assignee, task.reassigned_by, task.version) == (pat, governance, 2)
    assert task.section.owner.username == "staff"  # the section keeps its owner
    [event] = events("review_task.reassigned")
    assert event.changes == {"assignee": ["staff", "pat"]} and event.note == "Sam is on leave"
    services.task_notices_send(task_ids=[task.pk])
    services.task_notices_send(task_ids=[task.pk])  # a redelivery sends nothing more
    assert TaskNotice.objects.filter(kind=NoticeKind.ASSIGNED).count() == 1
    [message] = mails("is yours")
    assert message.to == [pat.email]
    assert "Gordon Governance gave you this quarter's review" in message.body


def test_a_mail_held_up_by_a_broker_outage_goes_out_with_the_scheduled_run(task, governance, pat):
    services.task_reassign(governance, task, assignee=pat)  # the enqueued mail never arrives
    services.task_notices_send()
    assert [m.to for m in mails("is yours")] == [[pat.email]]


@pytest.mark.parametrize("role", ["staff", "facilitator"])
def test_only_governance_owners_reassign(task, pat, role, request):
    with pytest.raises(PermissionDenied):
        services.task_reassign(request.getfixturevalue(role), task, assignee=pat)
    task.refresh_from_db()
    assert task.assignee.username == "staff"


def test_a_task_goes_only_to_an_active_person(task, governance, pat):
    pat.is_active = False
    pat.save()
    with pytest.raises(ValidationError) as error:
        services.task_reassign(governance, task, assignee=pat)
    assert error.value.message_dict == {"assignee": ["Pat Park cannot take it: their account is deactivated."]}
    assert not policy.task_owners().filter(pk=pat.pk).exists()


def test_reassigning_to_the_current_owner_is_refused(task, governance, staff):
    with pytest.raises(ValidationError) as error:
        services.task_reassign(governance, task, assignee=staff)
    assert error.value.message_dict == {"assignee": ["Sam Staff already owns this review."]}


@pytest.mark.parametrize(
    ("action", "values"),
    [
        ("task_reassign", {"assignee": None}),
        ("task_extend", {"due_on": date(2026, 12, 1)}),
        ("task_remind", {}),
    ],
)
def test_a_done_task_is_no_longer_run(task, staff, governance, action, values):
    services.task_complete(staff, task, note="Still right.")
    with pytest.raises(ValidationError, match="already done"):
        getattr(services, action)(governance, task, **values)


def test_the_second_of_two_governance_owners_reassigning_is_told(task, governance, pat):
    other = UserFactory(username="gina", first_name="Gina", roles=[GOVERNANCE])
    read = task.version
    services.task_reassign(governance, task, assignee=pat, version=read)
    with pytest.raises(Conflict) as conflict:
        services.task_reassign(other, task, assignee=other, version=read)
    assert conflict.value.current["assignee"] == pat.pk
    task.refresh_from_db()
    assert task.assignee == pat


@pytest.mark.django_db(transaction=True)
def test_two_governance_owners_reassigning_at_once_one_wins_and_the_other_is_told(staff, governance, pat):
    new_section(staff, governance)
    services.cycle_reconcile(date(2026, 10, 1))
    task = ReviewTask.objects.get()
    other = UserFactory(username="gina", first_name="Gina", roles=[GOVERNANCE])
    outcomes, barrier = {}, threading.Barrier(2)

    def run(user, assignee):
        try:
            barrier.wait()
            services.task_reassign(user, task, assignee=assignee, version=1)
            outcomes[user.username] = "won"
        except Conflict:
            outcomes[user.username] = "told"
        except Exception as error:  # noqa: BLE001
            outcomes[user.username] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in ((governance, pat), (other, other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["told", "won"]
    task.refresh_from_db()
    assert task.version == 2 and task.assignee.username == ("pat" if outcomes["governance"] == "won" else "gina")


# Extending ---------------------------------------------------------------------------------


def test_extending_moves_the_due_date_later_and_is_audited(task, governance):
    task = services.task_extend(governance, task, due_on=date(2026, 11, 30), version=1, note="Two escalations open")
    assert task.due_on == date(2026, 11, 30) and task.version == 2
    [event] = events("review_task.extended")
    assert event.changes == {"due_on": ["2026-10-31", "2026-11-30"]} and event.note == "Two escalations open"


@pytest.mark.parametrize(
    ("due_on", "message"),
    [
        (None, "Choose the new due date."),
        (date(2026, 10, 31), "Extending moves the due date later: choose a day after 31 Oct 2026."),
        (date(2026, 10, 15), "Extending moves the due date later: choose a day after 31 Oct 2026."),
        (date(2026, 11, 5), "That day has passed: choose 10 Nov 2026 or later."),
        (date(2027, 1, 31), "Choose a day by 30 Jan 2027, when next quarter's review falls due."),
        (date(9999, 12, 31), "Choose a day by 30 Jan 2027, when next quarter's review falls due."),
    ],
)
def test_an_extension_outside_its_window_is_a_field_error(task, governance, due_on, message):
    with pytest.raises(ValidationError) as error:
        services.task_extend(governance, task, due_on=due_on)
    assert error.value.message_dict == {"due_on": [message]}
    task.refresh_from_db()
    assert task.due_on == date(2026, 10, 31) and task.version == 1


def test_a_task_of_a_long_gone_quarter_can_no_longer_be_extended(task, governance, today):
    today.move_to("2027-02-01 09:00:00+00:00")
    with pytest.raises(ValidationError) as error:
        services.task_extend(governance, task, due_on=date(2027, 2, 10))
    assert "can no longer be extended" in error.value.message_dict["due_on"][0]


def test_only_governance_owners_extend(task, staff):
    with pytest.raises(PermissionDenied):
        services.task_extend(staff, task, due_on=date(2026, 11, 30))


def test_an_extension_reminds_and_escalates_again_for_the_new_date(task, staff, governance, settings):
    settings.PLAYBOOK_REMINDER_DAYS = 7
    assert services.task_notices_send(date(2026, 10, 25)) == 1  # reminder for 31 Oct
    assert services.task_notices_send(date(2026, 11, 10)) == 2  # overdue: the owner, and escalated to governance
    services.task_extend(governance, task, due_on=date(2026, 11, 30))
    assert services.task_notices_send(date(2026, 11, 20)) == 0  # not yet in the reminder window
    assert services.task_notices_send(date(2026, 11, 25)) == 1  # reminder for 30 Nov
    assert services.task_notices_send(date(2026, 11, 26)) == 0
    assert services.task_notices_send(date(2026, 12, 2)) == 2  # overdue again: told and escalated again
    assert services.task_notices_send(date(2026, 12, 3)) == 0
    reminders = TaskNotice.objects.filter(kind=NoticeKind.REMINDER).order_by("occasion")
    assert [n.occasion for n in reminders] == ["2026-10-31", "2026-11-30"]


# Reminding now -----------------------------------------------------------------------------


def test_remind_now_sends_one_mail_and_a_second_click_is_told_and_sends_nothing(task, staff, governance):
    services.task_remind(governance, task, version=task.version)
    with pytest.raises(ValidationError) as error:
        services.task_remind(governance, task, version=task.version)
    assert error.value.messages == ["Sam Staff was already reminded today (at 09:00): one reminder a day."]
    services.task_notices_send(task_ids=[task.pk])
    services.task_notices_send()
    [message] = mails("Reminder, review of")
    assert message.to == [staff.email]
    assert "Gordon Governance, who runs the quarterly review, asked for this reminder." in message.body
    assert len(events("review_task.reminded")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_remind_now_sends_one_mail(staff, governance):
    new_section(staff, governance)
    services.cycle_reconcile(date(2026, 10, 1))
    task = ReviewTask.objects.get()
    outcomes, barrier = [], threading.Barrier(2)

    def click():
        try:
            barrier.wait()
            services.task_remind(governance, task, version=1)
            outcomes.append("asked")
        except ValidationError:
            outcomes.append("told")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["asked", "told"]
    services.task_notices_send(task_ids=[task.pk])
    services.task_notices_send(task_ids=[task.pk])
    assert TaskNotice.objects.filter(kind=NoticeKind.REMIND_NOW).count() == 1
    assert len(mails("Reminder, review of")) == 1


def test_remind_now_again_the_next_day_sends_again(task, governance, today):
    services.task_remind(governance, task)
    services.task_notices_send(task_ids=[task.pk])
    today.move_to("2026-11-11 09:00:00+00:00")
    services.task_remind(governance, task)
    services.task_notices_send(task_ids=[task.pk])
    assert TaskNotice.objects.filter(kind=NoticeKind.REMIND_NOW).count() == 2
    assert len(mails("Reminder, review of")) == 2


def test_a_reminder_asked_for_the_previous_owner_is_not_sent_to_the_new_one(task, governance, pat):
    services.task_remind(governance, task)
    services.task_reassign(governance, task, assignee=pat)
    services.task_notices_send()
    titles = [m.subject for m in mail.outbox if pat.email in m.to] + [n.title for n in Notification.objects.all()]
    assert any("is yours" in title for title in titles)
    assert not any("Reminder" in title for title in titles)


def test_remind_now_needs_an_email_address(task, staff, governance):
    staff.email = ""
    staff.save()
    with pytest.raises(ValidationError, match="has no email address"):
        services.task_remind(governance, task)


def test_only_governance_owners_remind_now(task, staff):
    with pytest.raises(PermissionDenied):
        services.task_remind(staff, task)


# Completing on someone's behalf --------------------------------------------------------------


def test_a_governance_owner_completes_a_task_on_its_owners_behalf_with_a_note(task, governance):
    with pytest.raises(ValidationError) as error:
        services.task_complete(governance, task, note=" ")
    assert error.value.message_dict == {"note": ["Say what was checked, and why you close it for them."]}
    task = services.task_complete(governance, task, note="Checked with Sam by phone.", version=1)
    assert task.state == TaskState.DONE and task.completed_by == governance and task.done_on_behalf
    [event] = events("review_task.completed_on_behalf")
    assert event.changes["on_behalf_of"] == [None, "staff"] and event.note == "Checked with Sam by phone."


def test_the_owner_completing_their_own_task_is_not_on_anyones_behalf(task, staff):
    task = services.task_complete(staff, task, note="Re-read it.")
    assert task.completed_by == staff and not task.done_on_behalf
    assert len(events("review_task.completed")) == 1


def test_completing_a_task_someone_just_reassigned_is_told(task, governance, pat):
    services.task_reassign(governance, task, assignee=pat, version=1)
    with pytest.raises(Conflict):
        services.task_complete(governance, task, note="Checked.", version=1)


# Who may decide a revision ---------------------------------------------------------------------


def test_the_deciders_of_a_revision_are_the_other_active_governance_owners_and_admins(staff, governance, admin):
    section = new_section(staff, governance)
    revision = propose(governance, section, pattern="Mine")
    gina = UserFactory(username="gina", first_name="Gina", last_name="Green", roles=[GOVERNANCE])
    UserFactory(username="gone", roles=[GOVERNANCE], is_active=False)
    assert list(policy.revision_deciders(revision)) == [admin, gina]


# An approved revision's action item is done ----------------------------------------------------


@pytest.fixture
def action_item(facilitator, staff):
    review = make_review(facilitator)
    return review_services.action_item_add(
        facilitator,
        review,
        title="Name a decision owner in the playbook",
        owner=facilitator,
        due_on=date(2026, 12, 1),
        kind=ActionKind.PLAYBOOK_CHANGE,
    )


def test_approving_a_revision_marks_the_action_item_that_prompted_it_done(staff, facilitator, governance, action_item):
    section = new_section(staff, governance)
    revision = services.revision_create(
        facilitator,
        section=section,
        content={"change_authority": "The decision owner"},
        rationale="From the review",
        prompted_by_action=action_item,
        submit=True,
    )
    action_item.refresh_from_db()
    assert action_item.state == ActionState.OPEN  # submitting is not enough
    approve(governance, revision)
    action_item.refresh_from_db()
    assert action_item.state == ActionState.DONE and action_item.completed_at is not None
    assert action_item.version == 2  # someone editing the item meanwhile is told
    [event] = events("action_item.done")
    assert event.actor == governance and event.note == f"Playbook revision #{revision.pk} was approved."


def test_approving_a_revision_leaves_a_dropped_action_item_dropped(staff, facilitator, governance, action_item):
    section = new_section(staff, governance)
    revision = services.revision_create(
        facilitator, section=section, content={}, rationale="x", prompted_by_action=action_item, submit=True
    )
    review_services.action_item_set_state(facilitator, action_item, state=ActionState.DROPPED, reason="Covered")
    approve(governance, revision)
    action_item.refresh_from_db()
    assert action_item.state == ActionState.DROPPED and not events("action_item.done")


def test_the_review_page_shows_the_approved_revisions_action_item_as_done(
    client, staff, facilitator, governance, action_item
):
    section = new_section(staff, governance)
    revision = services.revision_create(
        facilitator, section=section, content={}, rationale="x", prompted_by_action=action_item, submit=True
    )
    approve(governance, revision)
    client.force_login(facilitator)
    html = client.get(action_item.review.get_absolute_url()).content.decode()
    assert f"revision #{revision.pk}</a> (approved)" in html
    assert '<span class="state action-done">Done</span>' in html
    html = client.get(revision.get_absolute_url()).content.decode()
    assert '<span class="state action-done">Action item done</span>' in html


# The pages -----------------------------------------------------------------------------------


def test_the_cycle_page_offers_remind_and_manage_per_open_task(client, task, governance):
    client.force_login(governance)
    html = client.get("/playbook/cycle/").content.decode()
    assert f'action="/playbook/tasks/{task.pk}/remind/"' in html
    assert f'href="/playbook/tasks/{task.pk}/"' in html and ">Manage</a>" in html


def test_reassigning_on_the_task_page_goes_back_to_the_cycle_and_says_so(client, task, governance, pat):
    client.force_login(governance)
    response = client.post(
        f"/playbook/tasks/{task.pk}/reassign/", {"assignee": pat.pk, "version": 1, "note": ""}, follow=True
    )
    assert response.redirect_chain == [(f"/playbook/cycle/?cycle={task.cycle_id}#task-{task.pk}", 302)]
    html = text(response)
    assert "“Payment outage” is now Pat Park's to review; they are told by mail." in html
    assert "reassigned 10 Nov by Gordon Governance" in html


def test_a_bad_extension_date_is_a_form_error_on_the_task_page(client, task, governance):
    client.force_login(governance)
    for value, message in [
        ("2026-02-30", "Enter a valid date."),
        ("99999-01-01", "Enter a valid date."),
        ("2026-10-01", "Extending moves the due date later"),
    ]:
        response = client.post(f"/playbook/tasks/{task.pk}/extend/", {"due_on": value, "version": 1})
        assert response.status_code == 400, value
        assert message in response.content.decode()
    task.refresh_from_db()
    assert task.due_on == date(2026, 10, 31)


def test_the_date_picker_offers_only_the_extension_window(client, task, governance):
    client.force_login(governance)
    html = client.get(f"/playbook/tasks/{task.pk}/").content.decode()
    assert 'min="2026-11-10"' in html and 'max="2027-01-30"' in html


def test_a_stale_action_on_the_task_page_is_a_409_that_shows_the_task_as_saved(client, task, governance, pat):
    services.task_reassign(governance, task, assignee=pat)
    client.force_login(governance)
    response = client.post(f"/playbook/tasks/{task.pk}/extend/", {"due_on": "2026-11-30", "version": 1})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this review task first" in html and "Owner: <strong>Pat Park</strong>" in html


def test_a_second_remind_click_on_the_page_is_told_not_sent(client, task, governance):
    client.force_login(governance)
    assert client.post(f"/playbook/tasks/{task.pk}/remind/", {"version": 1}).status_code == 302
    response = client.post(f"/playbook/tasks/{task.pk}/remind/", {"version": 1})
    assert response.status_code == 400
    assert "Sam Staff was already reminded today (at 09:00): one reminder a day." in response.content.decode()
    assert "Reminded today" in client.get("/playbook/cycle/").content.decode()


def test_completing_on_the_owners_behalf_from_the_task_page(client, task, governance):
    client.force_login(governance)
    assert "Mark reviewed on Sam Staff's behalf" in text(client.get(f"/playbook/tasks/{task.pk}/"))
    response = client.post(f"/playbook/tasks/{task.pk}/", {"note": "Checked with Sam.", "version": 1})
    assert response.status_code == 302 and response["Location"].startswith("/playbook/cycle/")
    html = client.get(response["Location"]).content.decode()
    assert "marked by Gordon Governance for them" in html


def test_the_owner_of_a_task_sees_no_governance_actions(client, task, staff):
    client.force_login(staff)
    html = client.get(f"/playbook/tasks/{task.pk}/").content.decode()
    assert "Run this review" not in html and "Reviewed, no change needed" in html
    assert client.post(f"/playbook/tasks/{task.pk}/remind/", {"version": 1}).status_code == 403
    assert client.post(f"/playbook/tasks/{task.pk}/snooze/").status_code == 404


def test_a_governance_author_is_told_why_they_cannot_decide_and_who_can(client, staff, governance):
    section = new_section(staff, governance)
    revision = propose(governance, section, pattern="Mine")
    client.force_login(governance)
    html = client.get(revision.get_absolute_url()).content.decode()
    assert "You cannot decide this revision" in html and "Approve and publish" not in html
    assert "Nobody can decide it yet:</strong> you are the only governance owner" in html
    UserFactory(username="gina", first_name="Gina", last_name="Green", roles=[GOVERNANCE])
    html = client.get(revision.get_absolute_url()).content.decode()
    assert "<strong>Who can decide:</strong> Gina Green." in html


def test_the_staff_author_of_a_submitted_revision_sees_who_will_decide(client, staff, governance):
    revision = propose(staff, new_section(staff, governance), pattern="Mine")
    client.force_login(staff)
    html = client.get(revision.get_absolute_url()).content.decode()
    assert "Waiting for a governance owner" in html and "Gordon Governance" in html


def test_the_cycle_page_query_count_does_not_grow_with_its_tasks(
    client, staff, governance, pat, django_assert_max_num_queries
):
    new_section(staff, governance, slug="s0")
    services.cycle_reconcile(date(2026, 10, 1))
    client.force_login(governance)
    with django_assert_max_num_queries(40) as few:
        client.get("/playbook/cycle/")
    for i in range(1, 6):
        new_section(staff, governance, slug=f"s{i}", pattern=f"Pattern {i}")
    services.cycle_reconcile(date(2026, 10, 1))
    for task in ReviewTask.objects.all():
        services.task_reassign(governance, task, assignee=pat)
        services.task_remind(governance, task)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/playbook/cycle/").content.decode().count("reassigned 10 Nov") == 6


# The API ---------------------------------------------------------------------------------------


def test_the_api_runs_a_task_through_the_same_services(api, task, governance, pat):
    api.force_authenticate(governance)
    url = f"/api/playbook/tasks/{task.pk}"
    response = api.post(f"{url}/reassign/", {"assignee": pat.pk, "version": 1})
    assert response.status_code == 200 and response.json()["assignee"] == "pat"
    assert response["ETag"] == '"2"'
    response = api.post(f"{url}/extend/", {"due_on": "2026-11-30"}, HTTP_IF_MATCH='"2"')
    assert response.status_code == 200 and response.json()["due_on"] == "2026-11-30"
    assert api.post(f"{url}/remind/", {}).status_code == 200
    assert api.post(f"{url}/remind/", {}).status_code == 400
    response = api.post(f"{url}/complete/", {"note": "Checked with Pat.", "version": 3})
    assert response.status_code == 200 and response.json()["completed_by"] == "governance"


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("reassign", {}, "assignee"),
        ("reassign", {"assignee": 999_999}, "assignee"),
        ("reassign", {"assignee": "pat"}, "assignee"),
        ("extend", {"due_on": "2026-02-30"}, "due_on"),
        ("extend", {"due_on": "9999-12-31"}, "due_on"),
        ("extend", {"due_on": "2026-10-01"}, "due_on"),
        ("extend", {"due_on": "2026-11-30", "version": "two"}, "version"),
    ],
)
def test_bad_input_to_the_task_api_is_a_400_naming_the_field(api, task, governance, action, body, field):
    api.force_authenticate(governance)
    response = api.post(f"/api/playbook/tasks/{task.pk}/{action}/", body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_a_deactivated_person_is_refused_by_the_api_with_the_reason(api, task, governance, pat):
    pat.is_active = False
    pat.save()
    api.force_authenticate(governance)
    response = api.post(f"/api/playbook/tasks/{task.pk}/reassign/", {"assignee": pat.pk})
    assert response.status_code == 400
    assert response.json() == {"assignee": ["Pat Park cannot take it: their account is deactivated."]}


def test_a_stale_version_in_the_task_api_is_a_409_and_a_stale_if_match_a_412(api, task, governance, pat):
    api.force_authenticate(governance)
    api.post(f"/api/playbook/tasks/{task.pk}/reassign/", {"assignee": pat.pk, "version": 1})
    url = f"/api/playbook/tasks/{task.pk}/extend/"
    assert api.post(url, {"due_on": "2026-11-30", "version": 1}).status_code == 409
    assert api.post(url, {"due_on": "2026-11-30"}, HTTP_IF_MATCH='"1"').status_code == 412


def test_staff_cannot_run_a_task_through_the_api(api, task, staff, pat):
    api.force_authenticate(staff)
    assert api.post(f"/api/playbook/tasks/{task.pk}/reassign/", {"assignee": pat.pk}).status_code == 403
    assert api.post(f"/api/playbook/tasks/{task.pk}/remind/", {}).status_code == 403
    task.refresh_from_db()
    assert task.assignee == staff and task.reminder_asked_at is None


def test_an_approval_leaves_an_action_item_already_done_as_it_is(facilitator, action_item):
    review_services.action_item_set_state(facilitator, action_item, state=ActionState.DONE)
    assert review_services.action_item_done_elsewhere(facilitator, action_item, note="x") is False
    action_item.refresh_from_db()
    assert action_item.version == 2


def test_the_extension_window_ends_when_next_quarters_review_falls_due(task, settings):
    settings.PLAYBOOK_TASK_DUE_DAYS = 10
    assert selectors.extension_window(task, date(2026, 11, 10)) == (date(2026, 11, 10), date(2027, 1, 10))
    assert selectors.extension_window(task, date(2026, 10, 20)) == (date(2026, 11, 1), date(2027, 1, 10))


# Data from before these changes ------------------------------------------------------------------


def test_an_action_item_an_earlier_approval_left_open_is_completed_by_the_migration(
    staff, facilitator, governance, action_item
):
    section = new_section(staff, governance)
    revision = services.revision_create(
        facilitator, section=section, content={}, rationale="x", prompted_by_action=action_item, submit=True
    )
    approve(governance, revision)
    ActionItem.objects.filter(pk=action_item.pk).update(state=ActionState.OPEN, completed_at=None, version=1)
    AuditEvent.objects.filter(action="action_item.done").delete()
    import_module("playbook.migrations.0003_approved_revisions_complete_their_action_items").complete_action_items(
        apps, None
    )
    action_item.refresh_from_db()
    revision.refresh_from_db()
    assert action_item.state == ActionState.DONE and action_item.completed_at == revision.decided_at
    [event] = events("action_item.done")
    assert event.actor == governance and event.actor_name == "Gordon Governance"
    assert event.subject_id == str(action_item.pk) and event.changes == {"state": ["open", "done"]}


def test_notices_sent_before_name_the_due_date_they_were_about(task, settings):
    settings.PLAYBOOK_REMINDER_DAYS = 7
    services.task_notices_send(date(2026, 10, 25))
    TaskNotice.objects.update(occasion="")
    import_module("playbook.migrations.0002_review_task_actions").notices_name_their_due_date(apps, None)
    assert list(TaskNotice.objects.values_list("occasion", flat=True)) == ["2026-10-31"]
    assert services.task_notices_send(date(2026, 10, 26)) == 0  # the reminder is not sent again


@pytest.mark.parametrize("headers", [{}, {"HTTP_IF_MATCH": '"1"'}])
def test_a_body_that_is_not_an_object_is_a_400(api, task, governance, headers):
    api.force_authenticate(governance)
    response = api.post(f"/api/playbook/tasks/{task.pk}/extend/", [1, 2], format="json", **headers)
    assert response.status_code == 400
    assert response.json()["non_field_errors"][0] in (
        "Send a JSON object.",
        "Invalid data. Expected a dictionary, but got list.",
    )


def test_the_admin_shows_quarterly_tasks_read_only(client, task, admin, pat):
    client.force_login(admin)
    url = f"/admin/playbook/reviewtask/{task.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"assignee": pat.pk, "due_on": "2026-12-01"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.assignee.username == "staff"


def test_a_task_whose_revision_waits_for_approval_is_not_its_owners_overdue(client, task, governance):
    from playbook import selectors as playbook_selectors
    from playbook.models import TaskState

    type(task).objects.filter(pk=task.pk).update(state=TaskState.PENDING, due_on=date(2026, 10, 1))
    task.refresh_from_db()
    progress = playbook_selectors.cycle_progress(task.cycle, date(2026, 11, 1))
    assert progress["overdue"] == 0 and progress["pending"] == 1
    client.force_login(task.assignee)
    home = client.get("/").content.decode()
    assert "Your revision waits for a governance owner" in home and "Overdue since" not in home


def test_proposing_the_same_revision_twice_creates_it_once(client, staff, governance):
    from playbook.models import Revision, RevisionState
    from tests.test_playbook_services import new_section

    section = new_section(staff, governance)
    client.force_login(staff)
    form = client.get(f"/playbook/{section.slug}/propose/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {"target_first_update_minutes": "15", "rationale": "Customers ask within 15 minutes.", "submit": "1"}
    first = client.post(f"/playbook/{section.slug}/propose/", data)
    second = client.post(f"/playbook/{section.slug}/propose/", data)  # Back, and submit again
    proposed = Revision.objects.exclude(state=RevisionState.APPROVED).get()
    assert first["Location"] == second["Location"] == proposed.get_absolute_url()


def test_a_task_waiting_on_governance_gets_no_reminder_or_escalation(task, governance):
    from playbook.models import TaskState

    ReviewTask.objects.filter(pk=task.pk).update(state=TaskState.PENDING)
    task.refresh_from_db()
    with pytest.raises(ValidationError):
        services.task_remind(governance, task, version=task.version)
    assert services.task_notices_send(task.due_on + timedelta(days=3)) == 0
    assert services.task_notices_send(task.due_on - timedelta(days=1)) == 0
