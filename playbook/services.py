"""Every change to the playbook goes through here: pages, the API and tasks alike.

Rules (see playbook/policy.py for who): nobody edits a published version; a
revision proposes a full new version against a base; a governance owner who
is not the author approves it with an attestation, atomically, and only if
the base is still the published version; the quarterly cycle is reconciled
from the database, so running it twice, late or concurrently is harmless.
"""

import logging
from datetime import UTC, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, F, OuterRef, Prefetch
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import audit, delivery, notifications, notify
from core.errors import check_version, require
from core.quarters import Quarter
from core.roles import GOVERNANCE
from core.tasks import enqueue_on_commit
from playbook import notices, ownership, policy, selectors
from playbook.models import (
    NoticeKind,
    ReviewCycle,
    ReviewTask,
    Revision,
    RevisionState,
    Section,
    SectionContent,
    SectionVersion,
    TaskNotice,
    TaskState,
)
from reviews import services as review_services
from reviews.models import OwnershipRole
from teams.models import Team

logger = logging.getLogger(__name__)
CONTENT = SectionContent.CONTENT_FIELDS
MINUTES = tuple(field for field in CONTENT if field.endswith("_minutes"))
MAX_MINUTES = 100_000
MAX_APPROVALS = 10
PATTERN_LENGTH = SectionContent._meta.get_field("pattern").max_length
RESERVED_SLUGS = {"new", "revisions", "cycle", "tasks"}  # page addresses under /playbook/


def content_errors(content, *, check_references=True):
    """Field errors for each content field given: its type and range, the ownership map's
    structure (``playbook.ownership``) and, unless told not to, that the teams and people it
    names exist."""
    errors = {}
    for field, value in content.items():
        if field == "ownership_map":
            problems = ownership.shape_errors(value, OwnershipRole.values)
            if not problems and check_references:
                problems = _missing_owners(value)
        elif field == "approvals_required":
            problems = [] if _whole(value, 1, MAX_APPROVALS) else [f"Between 1 and {MAX_APPROVALS} approvals."]
        elif field in MINUTES:
            fits = value is None or _whole(value, 0, MAX_MINUTES)
            problems = [] if fits else [f"A whole number of minutes between 0 and {MAX_MINUTES:,}, or empty."]
        elif field in CONTENT:
            problems = [] if isinstance(value, str) else ["Text expected."]
        else:
            continue
        if problems:
            errors[field] = problems
    if "pattern" not in errors:
        pattern = (content.get("pattern") or "").strip()
        if not pattern:
            errors["pattern"] = ["Name the incident pattern."]
        elif len(pattern) > PATTERN_LENGTH:
            errors["pattern"] = [f"At most {PATTERN_LENGTH} characters."]
    return errors


def _whole(value, low, high):
    return type(value) is int and low <= value <= high


def _missing_owners(mapping):
    """Messages for the teams and people a well-formed ownership map names that do not exist."""
    entries = ownership.entries(mapping, OwnershipRole.values).values()
    teams = {team for team, _ in entries if team}
    people = {person for _, person in entries if person}
    teams -= set(Team.objects.filter(pk__in=teams).values_list("pk", flat=True))
    people -= set(get_user_model().objects.filter(pk__in=people).values_list("pk", flat=True))
    return [f"No team has the id {pk}." for pk in sorted(teams)] + [
        f"No person has the id {pk}." for pk in sorted(people)
    ]


# Revisions ------------------------------------------------------------------


@transaction.atomic
def revision_create(
    user,
    *,
    content,
    rationale,
    section=None,
    new_slug="",
    new_owner=None,
    prompted_by_review=None,
    prompted_by_action=None,
    review_task=None,
    restored_from=None,
    submit=False,
):
    """Propose a full new version of ``section`` (or a new section).

    A content field left out of ``content`` keeps the published version's value (a new
    section's defaults). A reference may point only at what the author may see: a review or
    action item of a review they may open, and a quarterly task of this section they may close.
    """
    require(policy.can_propose(user), "Sign in to propose a revision.")
    if section is not None:
        section = Section.objects.select_related("current").get(pk=section.pk)  # the base is what is published now
    content = selectors.initial_content(section) | content
    errors = {}
    if not (rationale or "").strip():
        errors["rationale"] = ["Say why the playbook should change."]
    if section is None:
        if not new_slug:
            errors["new_slug"] = ["Give the new section an address, e.g. payment-outage-enterprise."]
        elif new_slug in RESERVED_SLUGS:
            errors["new_slug"] = [f"“{new_slug}” is reserved; choose another address."]
        elif Section.objects.filter(slug=new_slug).exists():
            errors["new_slug"] = ["A section with this address exists: propose a revision of it instead."]
        if new_owner is None:
            errors["new_owner"] = ["Name the person who will own the new section's quarterly review."]
    errors |= content_errors(content)
    errors |= _reference_errors(user, section, prompted_by_review, prompted_by_action, review_task)
    if errors:
        raise ValidationError(errors)
    revision = Revision(
        section=section,
        new_slug=new_slug if section is None else "",
        new_owner=new_owner if section is None else None,
        base=section.current if section else None,
        author=user,
        rationale=rationale.strip(),
        prompted_by_review=prompted_by_review or (prompted_by_action.review if prompted_by_action else None),
        prompted_by_action=prompted_by_action,
        review_task=review_task,
        restored_from=restored_from,
        **{field: content[field] for field in CONTENT if field in content},
    )
    revision.save()
    audit.record(
        user,
        "revision.restore_proposed" if restored_from else "revision.created",
        revision,
        note=revision.rationale,
    )
    if submit:
        _submit(revision)
        audit.record(user, "revision.submitted", revision)
        notices.revision_submitted(user, revision)
    return revision


def _reference_errors(user, section, prompted_by_review, prompted_by_action, review_task):
    errors = {}
    if prompted_by_review is not None and not policy.can_cite_review(user, prompted_by_review):
        errors["prompted_by_review"] = ["You cannot refer to that review."]
    if prompted_by_action is not None:
        if not policy.can_cite_review(user, prompted_by_action.review):
            errors["prompted_by_action"] = ["You cannot refer to that action item."]
        elif prompted_by_review is not None and prompted_by_action.review_id != prompted_by_review.pk:
            errors["prompted_by_action"] = ["That action item belongs to another review."]
    if review_task is not None:
        if not policy.can_complete_task(user, review_task):
            errors["review_task"] = ["You cannot answer that review task: it is assigned to someone else."]
        elif section is None or review_task.section_id != section.pk:
            errors["review_task"] = ["That review task is for another section."]
        elif review_task.state == TaskState.DONE:
            errors["review_task"] = ["That review task is already done."]
    return errors


@transaction.atomic
def revision_update(user, revision, *, version, content, rationale):
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    require(policy.can_edit_revision(user, revision), "Only the author edits a revision.")
    if not revision.is_open:
        raise ValidationError(f"This revision is {revision.get_state_display().lower()} and can no longer change.")
    check_version(revision, version, ["rationale", *content])
    errors = {}
    if not (rationale or "").strip():
        errors["rationale"] = ["Say why the playbook should change."]
    errors |= content_errors(content)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(revision, [*CONTENT, "rationale"])
    for field in CONTENT:
        if field in content:
            setattr(revision, field, content[field])
    revision.rationale = rationale.strip()
    revision.version += 1
    revision.save()
    changes = audit.diff(before, audit.snapshot(revision, [*CONTENT, "rationale"]))
    if changes:
        audit.record(user, "revision.edited", revision, changes=changes)
    return revision


def _submit(revision):
    revision.state = RevisionState.SUBMITTED
    revision.submitted_at = timezone.now()
    revision.version += 1
    revision.save()
    if revision.review_task_id:
        ReviewTask.objects.filter(pk=revision.review_task_id, state=TaskState.OPEN).update(
            state=TaskState.PENDING, version=F("version") + 1
        )


@transaction.atomic
def revision_submit(user, revision):
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    require(policy.can_edit_revision(user, revision), "Only the author submits a revision.")
    if revision.state != RevisionState.DRAFT:
        raise ValidationError("Only a draft can be submitted.")
    _submit(revision)
    audit.record(user, "revision.submitted", revision)
    notices.revision_submitted(user, revision)
    return revision


@transaction.atomic
def revision_withdraw(user, revision):
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    require(policy.can_edit_revision(user, revision), "Only the author withdraws a revision.")
    if not revision.is_open:
        raise ValidationError("Only a draft or submitted revision can be withdrawn.")
    audit.record(user, "revision.withdrawn", revision, changes={"state": [revision.state, RevisionState.WITHDRAWN]})
    revision.state = RevisionState.WITHDRAWN
    revision.version += 1
    revision.save()
    if revision.review_task_id:
        ReviewTask.objects.filter(pk=revision.review_task_id, state=TaskState.PENDING).update(
            state=TaskState.OPEN, version=F("version") + 1
        )
    return revision


def _decide(user, revision, comment_required):
    require(policy.can_decide(user), "Only governance owners approve or reject revisions.")
    require(policy.can_decide_revision(user, revision), "Four eyes: you cannot decide on your own revision.")
    if revision.state != RevisionState.SUBMITTED:
        raise ValidationError(
            f"Only a submitted revision can be decided (this one is {revision.get_state_display().lower()})."
        )


@transaction.atomic
def revision_approve(user, revision, *, comment="", attest_regulatory=False, attest_blameless=False):
    """Publish the revision as the section's next version, atomically.

    Refused while the base is stale. Two approvals racing on one section:
    the section row lock and the unique (section, number) constraint let
    exactly one publish; the other is told its base is stale.
    """
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    _decide(user, revision, comment_required=False)
    errors = {}
    if not attest_regulatory:
        errors["attest_regulatory"] = ["Attest that the change fits the regulatory requirements."]
    if not attest_blameless:
        errors["attest_blameless"] = ["Attest that the change follows the blameless principle."]
    # A value saved before its shape was checked is never published; the author corrects it first.
    errors |= content_errors(revision.content(), check_references=False)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if revision.section_id is None:
        if Section.objects.filter(slug=revision.new_slug).exists():
            raise ValidationError({"new_slug": ["A section with this address was created meanwhile."]})
        section = Section.objects.create(slug=revision.new_slug, owner=revision.new_owner)
        number = 1
    else:
        section = Section.objects.select_for_update().get(pk=revision.section_id)
        if section.current_id != revision.base_id:
            raise ValidationError(
                "The published version moved on since this revision was written (it was based on "
                f"version {revision.base.number if revision.base else '—'}, the section is now at version "
                f"{section.current.number}). The author must rebase it before it can be approved."
            )
        number = (section.current.number if section.current else 0) + 1
    try:
        with transaction.atomic():
            version = SectionVersion.objects.create(
                section=section,
                number=number,
                revision=revision,
                published_at=now,
                published_by=user,
                **{field: getattr(revision, field) for field in CONTENT},
            )
    except IntegrityError:
        raise ValidationError(
            "Another approval published this section's next version first. Rebase and try again."
        ) from None
    section.current = version
    section.save(update_fields=["current"])
    revision.section = section
    revision.state = RevisionState.APPROVED
    revision.decided_by = user
    revision.decided_at = now
    revision.decision_comment = (comment or "").strip()
    revision.attested_regulatory = True
    revision.attested_blameless = True
    revision.version += 1
    revision.save()
    if revision.review_task_id:
        ReviewTask.objects.filter(pk=revision.review_task_id).exclude(state=TaskState.DONE).update(
            state=TaskState.DONE, completed_at=now, version=F("version") + 1
        )
    audit.record(
        user,
        "revision.approved",
        revision,
        note=revision.decision_comment,
        changes={"state": [RevisionState.SUBMITTED, RevisionState.APPROVED], "attested": [None, "both"]},
    )
    audit.record(user, "playbook.version_published", version, note=f"From revision #{revision.pk}")
    notices.revision_decided(user, revision)
    notices.stale_revisions(user, version)
    if revision.prompted_by_action_id:
        review_services.action_item_done_elsewhere(
            user, revision.prompted_by_action, note=f"Playbook revision #{revision.pk} was approved."
        )
    return version


@transaction.atomic
def revision_reject(user, revision, *, comment):
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    _decide(user, revision, comment_required=True)
    if not (comment or "").strip():
        raise ValidationError({"comment": ["Tell the author why, so they can act on it."]})
    audit.record(
        user,
        "revision.rejected",
        revision,
        note=comment.strip(),
        changes={"state": [revision.state, RevisionState.REJECTED]},
    )
    revision.state = RevisionState.REJECTED
    revision.decided_by = user
    revision.decided_at = timezone.now()
    revision.decision_comment = comment.strip()
    revision.version += 1
    revision.save()
    if revision.review_task_id:
        ReviewTask.objects.filter(pk=revision.review_task_id, state=TaskState.PENDING).update(
            state=TaskState.OPEN, version=F("version") + 1
        )
    notices.revision_decided(user, revision)
    return revision


@transaction.atomic
def revision_rebase(user, revision, *, version=None):
    """Carry the author's changes over onto the current published version."""
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    require(policy.can_edit_revision(user, revision), "Only the author rebases a revision.")
    if not revision.is_open:
        raise ValidationError("Only a draft or submitted revision can be rebased.")
    check_version(revision, version, ["base"])
    if not selectors.is_stale(revision):
        raise ValidationError("This revision is already based on the published version.")
    plan = selectors.rebase_plan(revision)
    for row in plan:
        setattr(revision, row["field"], row["merged"])
    old_base = revision.base.number if revision.base else None
    revision.base = revision.section.current
    revision.version += 1
    revision.save()
    conflicts = [row["field"] for row in plan if row["conflict"]]
    audit.record(
        user,
        "revision.rebased",
        revision,
        changes={"base": [old_base, revision.base.number]},
        note=("Both changed: " + ", ".join(conflicts)) if conflicts else "",
    )
    return conflicts


@transaction.atomic
def version_restore(user, version, *, rationale=""):
    """Restoring an old version is a new revision with its content."""
    section = version.section
    return revision_create(
        user,
        section=section,
        content=version.content(),
        rationale=rationale or f"Restore version {version.number}.",
        restored_from=version,
    )


# The quarterly cycle ------------------------------------------------------------


def cycle_reconcile(today=None):
    """Make sure this quarter's cycle and one task per active section exist.

    Idempotent and safe concurrently: unique constraints decide, a lost race
    is ignored. Returns the number of tasks created.
    """
    today = today or timezone.localdate()
    current = Quarter.containing(today)
    year, quarter, starts, ends = current.year, current.number, current.start, current.last_day
    try:
        with transaction.atomic():
            cycle, _ = ReviewCycle.objects.get_or_create(
                year=year, quarter=quarter, defaults={"starts_on": starts, "ends_on": ends}
            )
    except IntegrityError:
        cycle = ReviewCycle.objects.get(year=year, quarter=quarter)
    due_on = min(starts + timedelta(days=settings.PLAYBOOK_TASK_DUE_DAYS), ends)
    missing = Section.objects.filter(is_active=True, current__isnull=False).exclude(tasks__cycle=cycle)
    tasks = [
        ReviewTask(cycle=cycle, section_id=pk, assignee_id=owner_id, due_on=due_on)
        for pk, owner_id in missing.values_list("pk", "owner_id")
    ]
    if not tasks:
        return 0
    # One pass, in batches of plain INSERTs. A batch that meets a task another run created
    # meanwhile (the unique constraint) is retried row by row, so the count is exactly what
    # this run created.
    created = 0
    for start in range(0, len(tasks), 1000):
        batch = tasks[start : start + 1000]
        try:
            with transaction.atomic():
                ReviewTask.objects.bulk_create(batch)
            created += len(batch)
        except IntegrityError:
            for task in batch:
                task.pk = None
                try:
                    with transaction.atomic():
                        task.save(force_insert=True)
                    created += 1
                except IntegrityError:
                    continue  # another run created it
    return created


def task_notices_send(today=None, *, task_ids=None):
    """Tell everything about the open quarterly tasks that is due and not yet told.

    One reminder to the owner before each due date; once it has passed, one notice to the
    owner and one escalation to each governance owner; the notice telling a new owner a task
    was reassigned to them; the reminder a governance owner asked for. Each is claimed when it
    is told, so none goes twice (``TaskNotice``), and each person gets one mail per run however
    many tasks it covers (core.delivery). ``task_ids`` limits the run to those tasks. Returns
    the notices told.
    """
    today = today or timezone.localdate()
    open_tasks = ReviewTask.objects.exclude(state=TaskState.DONE).select_related(
        "section__current", "assignee", "cycle", "reassigned_by", "reminder_asked_by"
    )
    if task_ids is not None:
        open_tasks = open_tasks.filter(pk__in=task_ids)
    sent = 0
    reminder_window = today + timedelta(days=settings.PLAYBOOK_REMINDER_DAYS)
    reminded = TaskNotice.objects.filter(
        task=OuterRef("pk"), kind=NoticeKind.REMINDER, occasion=Cast(OuterRef("due_on"), CharField())
    )
    # A task whose revision waits for a governance owner is not its owner's to finish: no reminder,
    # no escalation (the pending revision is on the governance owners' home page).
    waiting_on_owner = open_tasks.filter(state=TaskState.OPEN)
    for task in waiting_on_owner.filter(due_on__gte=today, due_on__lte=reminder_window).exclude(Exists(reminded)):
        sent += _notify(task, NoticeKind.REMINDER, [task.assignee], task.due_on.isoformat())
    governance = list(get_user_model().objects.filter(groups__name=GOVERNANCE, is_active=True))
    for task in waiting_on_owner.filter(due_on__lt=today):
        occasion = task.due_on.isoformat()
        already = set(
            task.notices.filter(kind__in=[NoticeKind.ESCALATION, NoticeKind.OVERDUE], occasion=occasion).values_list(
                "kind", "recipient_id"
            )
        )
        if (NoticeKind.OVERDUE, task.assignee_id) not in already:
            sent += _notify(task, NoticeKind.OVERDUE, [task.assignee], occasion)
        recipients = [person for person in governance if (NoticeKind.ESCALATION, person.pk) not in already]
        if recipients:
            sent += _notify(task, NoticeKind.ESCALATION, recipients, occasion)
    for kind, moment in ((NoticeKind.ASSIGNED, "reassigned_at"), (NoticeKind.REMIND_NOW, "reminder_asked_at")):
        for task, occasion in _unsent(open_tasks.filter(**{f"{moment}__isnull": False}), kind, moment):
            sent += _notify(task, kind, [task.assignee], occasion)
    delivery.deliver_pending()
    return sent


def _moment(value):
    """A moment as a notice's occasion: the same text however the database hands it back."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _unsent(tasks, kind, moment):
    """(task, occasion) for each of ``tasks`` whose assignee has had no ``kind`` mail about its ``moment``."""
    sent = Prefetch("notices", queryset=TaskNotice.objects.filter(kind=kind), to_attr="sent")
    for task in tasks.prefetch_related(sent):
        occasion = _moment(getattr(task, moment))
        if not any(n.recipient_id == task.assignee_id and n.occasion == occasion for n in task.sent):
            yield task, occasion


NOTICE_MAILS = {
    NoticeKind.REMINDER: ("task.due_soon", "task_reminder.txt", "Playbook review of “{section}” due {due}"),
    NoticeKind.ESCALATION: ("task.escalated", "task_escalation.txt", "Overdue playbook review of “{section}”"),
    NoticeKind.OVERDUE: ("task.overdue", "task_overdue.txt", "Your playbook review of “{section}” is overdue"),
    NoticeKind.ASSIGNED: ("task.assigned", "task_assigned.txt", "The playbook review of “{section}” is yours"),
    NoticeKind.REMIND_NOW: ("task.due_soon", "task_reminder.txt", "Reminder, review of “{section}” due {due}"),
}


@transaction.atomic
def _notify(task, kind, recipients, occasion):
    """Claim the notice for each recipient and tell them, together; returns the people told."""
    event, template, title = NOTICE_MAILS[kind]
    claimed = [
        person
        for person in recipients
        if notify.claim(TaskNotice, task=task, kind=kind, recipient=person, occasion=occasion)
    ]
    if not claimed:
        return 0
    context = {"task": task, "kind": kind, "site_url": settings.SITE_URL}
    told = notifications.notify(
        claimed,
        event,
        key=f"task.{kind}:{task.pk}:{occasion}",
        title=title.format(section=task.section, due=f"{task.due_on:%-d %b}"),
        body=render_to_string(f"playbook/email/{template}", context),
        url=task.get_absolute_url() if kind != NoticeKind.ESCALATION else reverse("playbook:cycle"),
        deliver=False,
    )
    return len(told)


# A task: its owner completes it; a governance owner runs it ------------------------------


def _locked_task(task):
    # The task's row alone: on PostgreSQL a lock over a join re-reads the joined rows as they were,
    # so a task reassigned while this waited would not be found at all.
    return ReviewTask.objects.select_for_update().get(pk=task.pk)


def _require_open(task):
    if task.state == TaskState.DONE:
        raise ValidationError("This review task is already done.")


def _name(person):
    return person.get_full_name() or person.get_username()


def _enqueue_notices(task):
    # playbook.tasks calls this module's services: imported here to break that cycle.
    from playbook.tasks import send_task_notices

    enqueue_on_commit(send_task_notices, task.pk)


@transaction.atomic
def task_complete(user, task, *, note, version=None):
    """“Reviewed, no change needed”, with a note: by its assignee, or by a governance owner on their behalf."""
    task = _locked_task(task)
    require(
        policy.can_complete_task(user, task),
        "Only the task's owner, or a governance owner on their behalf, completes this review.",
    )
    _require_open(task)
    check_version(task, version, ["assignee", "due_on", "state"])
    on_behalf = task.assignee_id != user.pk
    if not (note or "").strip():
        message = "Say what was checked, and why you close it for them." if on_behalf else "Say what you checked."
        raise ValidationError({"note": [message]})
    task.state = TaskState.DONE
    task.note = note.strip()
    task.completed_at = timezone.now()
    task.completed_by = user
    task.version += 1
    task.save()
    if on_behalf:
        audit.record(
            user,
            "review_task.completed_on_behalf",
            task,
            note=task.note,
            changes={"state": [TaskState.OPEN, TaskState.DONE], "on_behalf_of": [None, task.assignee.get_username()]},
        )
    else:
        audit.record(user, "review_task.completed", task, note=task.note)
    return task


@transaction.atomic
def task_reassign(user, task, *, assignee, version=None, note=""):
    """Give this quarter's task to someone else (the section keeps its owner); the new owner is mailed."""
    task = _locked_task(task)
    require(policy.can_run_cycle(user), "Only governance owners reassign quarterly review tasks.")
    _require_open(task)
    check_version(task, version, ["assignee", "due_on", "state"])
    if assignee is None:
        problem = "Choose who takes this review over."
    elif not policy.can_own_task(assignee):
        problem = f"{_name(assignee)} cannot take it: their account is deactivated."
    elif assignee.pk == task.assignee_id:
        problem = f"{_name(assignee)} already owns this review."
    else:
        problem = None
    if problem:
        raise ValidationError({"assignee": [problem]})
    before = task.assignee
    task.assignee = assignee
    task.reassigned_at = timezone.now()
    task.reassigned_by = user
    # A reminder asked for the previous owner is not sent to the new one.
    task.reminder_asked_at = task.reminder_asked_by = None
    task.version += 1
    task.save()
    audit.record(
        user,
        "review_task.reassigned",
        task,
        note=(note or "").strip(),
        changes={"assignee": [before.get_username(), assignee.get_username()]},
    )
    _enqueue_notices(task)
    return task


@transaction.atomic
def task_extend(user, task, *, due_on, version=None, note=""):
    """Move the due date later, within ``selectors.extension_window``; the reminder and the
    escalation follow the new date."""
    task = _locked_task(task)
    require(policy.can_run_cycle(user), "Only governance owners extend quarterly review tasks.")
    _require_open(task)
    check_version(task, version, ["assignee", "due_on", "state"])
    earliest, latest = selectors.extension_window(task, timezone.localdate())
    if earliest > latest:
        problem = (
            f"This review can no longer be extended: next quarter's review falls due on {latest:%-d %b %Y}. "
            "Complete it on its owner's behalf, or reassign it."
        )
    elif due_on is None:
        problem = "Choose the new due date."
    elif due_on <= task.due_on:
        problem = f"Extending moves the due date later: choose a day after {task.due_on:%-d %b %Y}."
    elif due_on < earliest:
        problem = f"That day has passed: choose {earliest:%-d %b %Y} or later."
    elif due_on > latest:
        problem = f"Choose a day by {latest:%-d %b %Y}, when next quarter's review falls due."
    else:
        problem = None
    if problem:
        raise ValidationError({"due_on": [problem]})
    before = task.due_on
    task.due_on = due_on
    task.version += 1
    task.save()
    audit.record(
        user,
        "review_task.extended",
        task,
        note=(note or "").strip(),
        changes={"due_on": [before.isoformat(), due_on.isoformat()]},
    )
    return task


@transaction.atomic
def task_remind(user, task, *, version=None):
    """Remind the task's owner now, at most once a day: the mail goes out after commit, claimed
    and sent like the scheduled reminders (``task_notices_send``), so it is sent once."""
    task = _locked_task(task)
    require(policy.can_run_cycle(user), "Only governance owners send reminders about quarterly review tasks.")
    _require_open(task)
    check_version(task, version, ["assignee", "due_on", "state"])
    if task.state == TaskState.PENDING:
        raise ValidationError("Its revision waits for a governance owner's decision: there is nothing to remind.")
    if not task.assignee.is_active:
        raise ValidationError(f"{_name(task.assignee)}'s account is closed: reassign the task instead.")
    now = timezone.now()
    if task.reminder_asked_at and timezone.localdate(task.reminder_asked_at) == timezone.localdate(now):
        raise ValidationError(
            f"{_name(task.assignee)} was already reminded today "
            f"(at {timezone.localtime(task.reminder_asked_at):%H:%M}): one reminder a day."
        )
    if not task.assignee.email:
        raise ValidationError(f"{_name(task.assignee)} has no email address: remind them another way.")
    task.reminder_asked_at = now
    task.reminder_asked_by = user
    task.save(update_fields=["reminder_asked_at", "reminder_asked_by"])
    audit.record(user, "review_task.reminded", task, changes={"reminded": [None, task.assignee.get_username()]})
    _enqueue_notices(task)
    return task
