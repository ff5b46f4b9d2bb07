"""The playbook's rules, enforced in playbook/services.py, per role."""

import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from core.errors import Conflict
from playbook import selectors, services
from playbook.models import ReviewCycle, ReviewTask, Revision, RevisionState, Section, TaskNotice, TaskState
from tests.factories import UserFactory, make_review

BASE = {"pattern": "Payment outage", "target_first_update_minutes": 30, "change_authority": "On-call lead"}


def new_section(author, approver, slug="payments", owner=None, **content):
    revision = services.revision_create(
        author, content=BASE | content, rationale="First version", new_slug=slug, new_owner=owner or author, submit=True
    )
    return services.revision_approve(approver, revision, attest_regulatory=True, attest_blameless=True).section


def propose(author, section, submit=True, **changes):
    return services.revision_create(
        author, section=section, content=section.current.content() | changes, rationale="Because", submit=submit
    )


def approve(approver, revision):
    return services.revision_approve(approver, revision, attest_regulatory=True, attest_blameless=True)


@pytest.fixture
def section(staff, governance):
    return new_section(staff, governance)


def test_a_new_section_is_published_as_version_1(section, staff):
    assert section.current.number == 1
    assert section.owner == staff
    assert section.current.pattern == "Payment outage"


def test_approval_publishes_the_next_version_and_keeps_the_old_one(section, staff, governance):
    revision = propose(staff, section, target_first_update_minutes=20)
    version = approve(governance, revision)
    section.refresh_from_db()
    assert version.number == 2 and section.current == version
    assert section.versions.get(number=1).target_first_update_minutes == 30  # never edited
    revision.refresh_from_db()
    assert revision.state == RevisionState.APPROVED
    assert revision.attested_regulatory and revision.attested_blameless and revision.decided_by == governance


def test_four_eyes_and_roles(section, staff, governance, facilitator):
    revision = propose(governance, section, pattern="Changed by governance")
    with pytest.raises(PermissionDenied):
        approve(governance, revision)  # own revision
    with pytest.raises(PermissionDenied):
        approve(staff, revision)  # not governance
    with pytest.raises(PermissionDenied):
        approve(facilitator, revision)
    other_governance = UserFactory(username="g2", roles=["governance"])
    assert approve(other_governance, revision).number == 2


def test_approval_needs_both_attestations(section, staff, governance):
    revision = propose(staff, section, pattern="x")
    with pytest.raises(ValidationError) as error:
        services.revision_approve(governance, revision, attest_regulatory=True, attest_blameless=False)
    assert "attest_blameless" in error.value.message_dict
    assert Section.objects.get(pk=section.pk).current.number == 1


def test_only_submitted_revisions_are_decided(section, staff, governance):
    draft = propose(staff, section, submit=False, pattern="Draft")
    with pytest.raises(ValidationError):
        approve(governance, draft)
    services.revision_submit(staff, draft)
    with pytest.raises(ValidationError) as error:
        services.revision_reject(governance, draft, comment="")
    assert "comment" in error.value.message_dict
    services.revision_reject(governance, draft, comment="Too broad")
    with pytest.raises(ValidationError):
        services.revision_withdraw(staff, draft)


def test_only_the_author_edits_submits_and_withdraws(section, staff, facilitator):
    revision = propose(staff, section, submit=False, pattern="Draft")
    for action in (services.revision_submit, services.revision_withdraw):
        with pytest.raises(PermissionDenied):
            action(facilitator, revision)
    with pytest.raises(PermissionDenied):
        services.revision_update(facilitator, revision, version=1, content={}, rationale="x")
    services.revision_update(staff, revision, version=1, content={"pattern": "Better"}, rationale="Because")
    with pytest.raises(Conflict):
        services.revision_update(staff, revision, version=1, content={"pattern": "Stale"}, rationale="Because")


def test_stale_base_is_refused_then_rebased(section, staff, governance, facilitator):
    mine = propose(staff, section, change_authority="The decision owner named in the ownership map")
    theirs = propose(facilitator, section, target_first_update_minutes=15)
    approve(governance, theirs)  # the section moves to version 2
    mine.refresh_from_db()
    assert selectors.is_stale(mine)
    with pytest.raises(ValidationError) as error:
        approve(governance, mine)
    assert "moved on" in str(error.value)
    with pytest.raises(PermissionDenied):
        services.revision_rebase(facilitator, mine)
    conflicts = services.revision_rebase(staff, mine)
    mine.refresh_from_db()
    assert conflicts == []
    assert mine.base.number == 2
    assert mine.target_first_update_minutes == 15  # carried over from version 2
    assert mine.change_authority == "The decision owner named in the ownership map"  # kept
    assert approve(governance, mine).number == 3


def test_rebase_reports_fields_both_changed(section, staff, governance, facilitator):
    mine = propose(staff, section, target_first_update_minutes=10)
    approve(governance, propose(facilitator, section, target_first_update_minutes=20))
    mine.refresh_from_db()
    assert services.revision_rebase(staff, mine) == ["target_first_update_minutes"]
    mine.refresh_from_db()
    assert mine.target_first_update_minutes == 10


def test_restoring_an_old_version_is_a_new_revision(section, staff, governance):
    approve(governance, propose(staff, section, pattern="Renamed"))
    old = section.versions.get(number=1)
    revision = services.version_restore(staff, old)
    assert revision.state == RevisionState.DRAFT and revision.restored_from == old
    assert revision.pattern == "Payment outage" and revision.base.number == 2
    services.revision_submit(staff, revision)
    assert approve(governance, revision).number == 3


def test_new_section_rules(staff, governance):
    with pytest.raises(ValidationError) as error:
        services.revision_create(staff, content=BASE, rationale="x", new_slug="cycle", new_owner=staff)
    assert "new_slug" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.revision_create(staff, content={"pattern": ""}, rationale="", new_slug="", new_owner=None)
    assert {"pattern", "rationale", "new_slug", "new_owner"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError):
        services.revision_create(
            staff, content=BASE | {"ownership_map": {"janitor": {}}}, rationale="x", new_slug="ok", new_owner=staff
        )


def test_a_playbook_change_action_item_opens_a_linked_revision(section, staff, facilitator):
    review = make_review(facilitator)
    from reviews import services as review_services

    item = review_services.action_item_add(
        facilitator,
        review,
        title="Name the decision owner",
        owner=staff,
        due_on=timezone.localdate(),
        kind="playbook_change",
    )
    revision = services.revision_create(
        staff, section=section, content=section.current.content(), rationale="From review", prompted_by_action=item
    )
    assert revision.prompted_by_review == review
    assert list(item.playbook_revisions.all()) == [revision]


def test_incidents_link_the_version_in_force_and_its_targets(section, staff, governance, facilitator):
    from reviews.selectors import metrics_for

    Section.objects.filter(pk=section.pk)
    section.versions.update(published_at=timezone.now() - timedelta(days=30))
    approve(governance, propose(staff, section, target_first_update_minutes=10))  # v2 published now
    review = make_review(
        facilitator,
        hours_ago=48,
        playbook_section=section,
        first_customer_update_at=timezone.now() - timedelta(hours=47, minutes=40),
    )
    assert review.incident.playbook_version.number == 1  # v2 came after the escalation
    first_update = {m.key: m for m in metrics_for(review.incident)}["time_to_first_update"]
    assert first_update.target == timedelta(minutes=30) and first_update.met is True


# The quarterly cycle ---------------------------------------------------------------


def test_reconcile_creates_one_task_per_active_section_and_is_idempotent(section, staff, governance):
    other = new_section(staff, governance, slug="database", pattern="Database down")
    archived = new_section(staff, governance, slug="old", pattern="Old")
    Section.objects.filter(pk=archived.pk).update(is_active=False)
    day = date(2026, 11, 3)
    assert services.cycle_reconcile(day) == 2
    assert services.cycle_reconcile(day) == 0
    cycle = ReviewCycle.objects.get()
    assert (cycle.year, cycle.quarter, cycle.starts_on, cycle.ends_on) == (
        2026,
        4,
        date(2026, 10, 1),
        date(2026, 12, 31),
    )
    tasks = ReviewTask.objects.order_by("section__slug")
    assert [t.section for t in tasks] == [other, section]
    assert {t.due_on for t in tasks} == {date(2026, 10, 31)}
    assert {t.assignee for t in tasks} == {staff}


def test_the_cycle_follows_the_clock_across_a_quarter_boundary(section):
    with time_machine.travel("2026-12-31 23:30:00+00:00", tick=False):
        assert services.cycle_reconcile() == 1
    with time_machine.travel("2027-01-01 00:30:00+00:00", tick=False):
        assert services.cycle_reconcile() == 1
        assert services.cycle_reconcile() == 0
    with time_machine.travel("2027-02-20 09:00:00+00:00", tick=False):  # a late run: nothing new
        assert services.cycle_reconcile() == 0
    assert [str(c) for c in ReviewCycle.objects.order_by("year", "quarter")] == ["2026 Q4", "2027 Q1"]
    assert ReviewTask.objects.count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL (the make test PostgreSQL run)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_reconciles_create_exactly_one_task_per_section(staff, governance):
    for i in range(5):
        new_section(staff, governance, slug=f"s{i}", pattern=f"Pattern {i}")
    results, errors = [], []
    barrier = threading.Barrier(4)

    def run():
        try:
            barrier.wait()
            results.append(services.cycle_reconcile(date(2026, 11, 3)))
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 5
    assert ReviewTask.objects.count() == 5 and ReviewCycle.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="racing approvals are tested on PostgreSQL (the make test PostgreSQL run)"
)
@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_on_one_section_exactly_one_wins(staff, facilitator, governance):
    section = new_section(staff, governance)
    other_governance = UserFactory(username="g2", roles=["governance"])
    first = propose(staff, section, pattern="First")
    second = propose(facilitator, section, pattern="Second")
    barrier = threading.Barrier(2)
    outcomes = {}

    def run(approver, revision):
        try:
            barrier.wait()
            outcomes[revision.pk] = approve(approver, revision).number
        except ValidationError as error:
            outcomes[revision.pk] = str(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in ((governance, first), (other_governance, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [value for value in outcomes.values() if value == 2]
    losers = [value for value in outcomes.values() if isinstance(value, str)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert "moved on" in losers[0] or "first" in losers[0]
    section.refresh_from_db()
    assert section.current.number == 2 and section.versions.count() == 2
    assert Revision.objects.filter(state=RevisionState.APPROVED).count() == 2  # v1 and the winner


def test_reminders_and_escalations_are_sent_once(section, staff, governance, settings):
    settings.PLAYBOOK_REMINDER_DAYS = 7
    other_governance = UserFactory(username="g2", roles=["governance"])
    services.cycle_reconcile(date(2026, 10, 1))  # due 31 Oct
    assert services.task_notices_send(date(2026, 10, 20)) == 0  # too early
    assert services.task_notices_send(date(2026, 10, 25)) == 1  # reminder to the owner
    assert services.task_notices_send(date(2026, 10, 26)) == 0
    assert mail.outbox[-1].to == [staff.email]
    assert services.task_notices_send(date(2026, 11, 2)) == 3  # overdue to the owner, escalated to both governance
    assert services.task_notices_send(date(2026, 11, 9)) == 0
    # Each person gets their own mail (core.delivery batches per recipient).
    assert sorted(m.to[0] for m in mail.outbox[-3:]) == sorted([staff.email, governance.email, other_governance.email])
    assert TaskNotice.objects.count() == 4


def test_completing_a_task(section, staff, governance, facilitator):
    services.cycle_reconcile(date(2026, 11, 3))
    task = ReviewTask.objects.get()
    with pytest.raises(PermissionDenied):
        services.task_complete(facilitator, task, note="x")
    with pytest.raises(ValidationError):
        services.task_complete(staff, task, note="")
    task = services.task_complete(staff, task, note="Still right after the Q4 escalations.")
    assert task.state == TaskState.DONE
    assert services.task_notices_send(date(2026, 12, 1)) == 0  # done tasks are not chased


def test_a_revision_completes_its_task_when_approved(section, staff, governance):
    services.cycle_reconcile(date(2026, 11, 3))
    task = ReviewTask.objects.get()
    revision = services.revision_create(
        staff,
        section=section,
        content=section.current.content() | {"pattern": "Renamed"},
        rationale="Quarterly",
        review_task=task,
        submit=True,
    )
    task.refresh_from_db()
    assert task.state == TaskState.PENDING
    approve(governance, revision)
    task.refresh_from_db()
    assert task.state == TaskState.DONE
