"""Every change to reviews goes through here: pages, the API and tasks alike.

Each function checks the rules (reviews/policy.py), validates, writes in one
transaction and returns what it changed. Errors are Django's
``ValidationError`` / ``PermissionDenied`` and :class:`core.errors.Conflict`.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import audit, delivery, moments, notifications, notify
from core.errors import check_version, require
from reviews import notices, policy, selectors
from reviews.metrics import clarity_score, consolidate
from reviews.models import (
    ActionItem,
    ActionKind,
    ActionReminder,
    ActionState,
    Dimension,
    DimensionResult,
    EntryKind,
    Finding,
    Incident,
    LanguageDismissal,
    Participant,
    ReminderKind,
    Review,
    ReviewState,
    ReviewText,
    RoleAssignment,
    Score,
    TimelineEntry,
)

logger = logging.getLogger(__name__)

INCIDENT_FIELDS = (
    "title",
    "customer",
    "severity",
    "summary",
    "customer_summary",
    "team",
    "pattern_name",
    "playbook_section",
    "escalated_at",
    "acknowledged_at",
    "first_customer_update_at",
    "resolved_at",
    "satisfaction",
)
REVIEW_FIELDS = ("narrative", "is_exercise", "facilitator")
MILESTONES_AFTER_ESCALATION = {
    "acknowledged_at": "The acknowledgement",
    "first_customer_update_at": "The first customer update",
    "resolved_at": "The confirmed resolution",
}


def _require_not_archived(review):
    if review.is_archived:
        raise ValidationError("This review is archived: restore it to change it.")


def _require_editable(review):
    _require_not_archived(review)
    if not review.is_editable:
        raise ValidationError("This review is published and read-only. Amend it to change its text.")


# Incidents ----------------------------------------------------------------


def validate_milestones(values, assignments=()):
    """Impossible orders are validation errors, by field."""
    fields = ("escalated_at", *MILESTONES_AFTER_ESCALATION)
    errors = moments.check_window({field: values.get(field) for field in fields})
    if errors:  # out of range: the comparisons below would say nothing useful
        raise ValidationError(errors)
    escalated = values.get("escalated_at")
    now = timezone.now() + timedelta(minutes=5)
    for field in fields:
        moment = values.get(field)
        if moment and moment > now:
            errors.setdefault(field, []).append("This is in the future.")
    if escalated:
        for field, label in MILESTONES_AFTER_ESCALATION.items():
            moment = values.get(field)
            if moment and moment < escalated:
                errors.setdefault(field, []).append(f"{label} cannot be before the escalation.")
        early = [a for a in assignments if a.started_at < escalated]
        if early:
            since = timezone.localtime(early[0].started_at)
            errors.setdefault("escalated_at", []).append(
                f"{early[0].get_role_display()} was held from {since:%Y-%m-%d %H:%M}, "
                "before this escalation time. Adjust the role history first."
            )
    ack = values.get("acknowledged_at")
    first_update = values.get("first_customer_update_at")
    resolved = values.get("resolved_at")
    if resolved and ack and resolved < ack:
        errors.setdefault("resolved_at", []).append("Resolution cannot be before the acknowledgement.")
    if resolved and first_update and first_update > resolved:
        errors.setdefault("first_customer_update_at", []).append(
            "The first customer update cannot come after the resolution was confirmed."
        )
    satisfaction = values.get("satisfaction")
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        errors.setdefault("satisfaction", []).append("Satisfaction is a score from 1 to 5.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def review_create(user, *, facilitator=None, is_exercise=False, narrative="", **incident_values):
    """Record an incident and open its review as a draft."""
    require(policy.can_create(user), "Only facilitators create reviews.")
    unknown = set(incident_values) - set(INCIDENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown incident fields: {sorted(unknown)}")
    for field in ("title", "customer", "escalated_at"):
        if not incident_values.get(field):
            raise ValidationError({field: "This field is required."})
    validate_milestones(incident_values)
    incident = Incident(created_by=user, **incident_values)
    _link_playbook(incident)
    incident.save()
    review = Review.objects.create(
        incident=incident, facilitator=facilitator or user, is_exercise=is_exercise, narrative=narrative
    )
    audit.record(user, "review.created", review, note="Exercise" if is_exercise else "")
    return review


def _link_playbook(incident):
    """Point the incident at the section version that was in force when it was escalated."""
    section = incident.playbook_section
    incident.playbook_version = selectors.version_in_force(section, incident.escalated_at) if section else None
    if section and incident.playbook_version and not incident.pattern_name:
        incident.pattern_name = incident.playbook_version.pattern


@transaction.atomic
def incident_update(user, incident, *, version, **values):
    """Edit the incident's facts; refused if someone saved a newer version."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    review = incident.review
    require(policy.can_manage(user, review), "Only facilitators edit the incident.")
    _require_editable(review)
    check_version(incident, version, [field for field in values if field in INCIDENT_FIELDS])
    merged = {field: getattr(incident, field) for field in INCIDENT_FIELDS} | values
    before = audit.snapshot(incident, INCIDENT_FIELDS)
    validate_milestones(merged, incident.assignments.all())
    for field, value in values.items():
        if field not in INCIDENT_FIELDS:
            raise TypeError(f"Unknown incident field: {field}")
        setattr(incident, field, value)
    _link_playbook(incident)
    incident.version += 1
    incident.save()
    changes = audit.diff(before, audit.snapshot(incident, INCIDENT_FIELDS))
    if changes:
        audit.record(user, "incident.edited", incident, changes=changes, url=review.get_absolute_url())
    return incident


@transaction.atomic
def review_update(user, review, *, version, narrative=None, is_exercise=None, facilitator=None):
    review = Review.objects.select_for_update().get(pk=review.pk)
    require(policy.can_manage(user, review), "Only facilitators edit a review.")
    _require_editable(review)
    check_version(review, version, ["narrative", "is_exercise"])
    before = audit.snapshot(review, REVIEW_FIELDS)
    if narrative is not None:
        review.narrative = narrative
    if is_exercise is not None:
        review.is_exercise = is_exercise
    if facilitator is not None:
        review.facilitator = facilitator
    review.version += 1
    review.save()
    changes = audit.diff(before, audit.snapshot(review, REVIEW_FIELDS))
    if changes:
        audit.record(user, "review.edited", review, changes=changes)
    return review


@transaction.atomic
def review_edit(user, review, *, incident_version, review_version, narrative, is_exercise, **incident_values):
    """The review page's edit form: the incident's facts and the review's text,
    saved together or not at all (a conflict on either keeps both unsaved)."""
    incident_update(user, review.incident, version=incident_version, **incident_values)
    return review_update(user, review, version=review_version, narrative=narrative, is_exercise=is_exercise)


# Ownership roles ----------------------------------------------------------


def _check_span(incident, started_at, ended_at):
    """A role is held inside the window, from the escalation on, not in the future, ending after it starts."""
    errors = moments.check_window({"started_at": started_at, "ended_at": ended_at})
    if errors:
        raise ValidationError(errors)
    if started_at < incident.escalated_at:
        errors["started_at"] = [
            "A role cannot be held before the escalation "
            f"({timezone.localtime(incident.escalated_at):%Y-%m-%d %H:%M}). Correct the escalation time first."
        ]
    if started_at > timezone.now() + timedelta(minutes=5):
        errors["started_at"] = ["This is in the future."]
    if ended_at is not None and ended_at > timezone.now() + timedelta(minutes=5):
        errors["ended_at"] = ["This is in the future."]
    if ended_at is not None and ended_at < started_at:
        errors["ended_at"] = ["The end must be after the start."]
    if errors:
        raise ValidationError(errors)


def _check_one_holder(others, started_at, ended_at):
    """Refuse a span that overlaps another holder's: one person holds a role at a time."""
    for other in others:
        other_end = other.ended_at
        if (ended_at is None or other.started_at < ended_at) and (other_end is None or started_at < other_end):
            holder = other.person.get_full_name() or other.person.get_username()
            raise ValidationError(
                {
                    "started_at": [
                        f"{holder} held this role from {timezone.localtime(other.started_at):%Y-%m-%d %H:%M}"
                        + (f" to {timezone.localtime(other_end):%Y-%m-%d %H:%M}" if other_end else "")
                        + ": one person holds a role at a time."
                    ]
                }
            )


def _locked_assignment(assignment):
    """The assignment and its incident, locked in the order assign_role takes them."""
    incident = Incident.objects.select_for_update().get(pk=assignment.incident_id)
    return RoleAssignment.objects.select_for_update().select_related("person").get(pk=assignment.pk), incident


@transaction.atomic
def role_assign(user, incident, *, role, person, started_at, ended_at=None, handover_note=""):
    """Record that ``person`` held ``role`` from ``started_at`` (until ``ended_at``).

    A new open-ended assignment hands the role over: the current holder's
    assignment ends when the new one starts. One holder at a time.
    """
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    review = incident.review
    require(policy.can_manage(user, review), "Only facilitators record role assignments.")
    _require_editable(review)
    _check_span(incident, started_at, ended_at)
    history = list(incident.assignments.filter(role=role).select_related("person").select_for_update())
    current = next((a for a in history if a.ended_at is None and a.started_at < started_at), None)
    _check_one_holder([a for a in history if a is not current], started_at, ended_at)
    if current is not None and ended_at is None:
        if current.person_id == person.pk:
            raise ValidationError({"person": ["This person already holds the role."]})
        current.ended_at = started_at
        current.save(update_fields=["ended_at"])
    elif current is not None:
        raise ValidationError({"ended_at": ["The role is held by someone else then; leave the end open to hand over."]})
    assignment = RoleAssignment.objects.create(
        incident=incident,
        role=role,
        person=person,
        started_at=started_at,
        ended_at=ended_at,
        handover_note=handover_note,
        created_by=user,
    )
    audit.record(
        user,
        "incident.role_assigned",
        assignment,
        url=review.get_absolute_url(),
        changes={"holder": [current.person.get_username() if current else None, person.get_username()]},
        note=handover_note,
    )
    return assignment


ASSIGNMENT_FIELDS = ("person", "started_at", "ended_at", "handover_note")


@transaction.atomic
def role_end(user, assignment, *, ended_at):
    """The holder gave the role up at ``ended_at`` with no successor: the role is a gap from then."""
    assignment, incident = _locked_assignment(assignment)
    review = incident.review
    require(policy.can_manage(user, review), "Only facilitators record role assignments.")
    _require_editable(review)
    if assignment.ended_at is not None:
        raise ValidationError({"ended_at": ["This assignment has already ended; correct it instead."]})
    _check_span(incident, assignment.started_at, ended_at)
    before = audit.snapshot(assignment, ["ended_at"])
    assignment.ended_at = ended_at
    assignment.save(update_fields=["ended_at"])
    audit.record(
        user,
        "incident.role_ended",
        assignment,
        url=review.get_absolute_url(),
        changes=audit.diff(before, audit.snapshot(assignment, ["ended_at"])),
    )
    return assignment


@transaction.atomic
def role_correct(user, assignment, **values):
    """Correct a mistaken assignment: who held the role, from when to when, the handover note.

    Fields left out keep their value; the one-holder-at-a-time rule applies as when recording."""
    assignment, incident = _locked_assignment(assignment)
    review = incident.review
    require(policy.can_manage(user, review), "Only facilitators record role assignments.")
    _require_editable(review)
    unknown = set(values) - set(ASSIGNMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown assignment fields: {sorted(unknown)}")
    merged = {field: values.get(field, getattr(assignment, field)) for field in ASSIGNMENT_FIELDS}
    _check_span(incident, merged["started_at"], merged["ended_at"])
    others = incident.assignments.filter(role=assignment.role).exclude(pk=assignment.pk).select_related("person")
    _check_one_holder(list(others), merged["started_at"], merged["ended_at"])
    before = audit.snapshot(assignment, ASSIGNMENT_FIELDS)
    for field, value in merged.items():
        setattr(assignment, field, value)
    assignment.save()
    changes = audit.diff(before, audit.snapshot(assignment, ASSIGNMENT_FIELDS))
    if changes:
        audit.record(user, "incident.role_corrected", assignment, url=review.get_absolute_url(), changes=changes)
    return assignment


@transaction.atomic
def role_remove(user, assignment):
    """Remove an assignment recorded by mistake (a wrong person, a duplicate). The trail keeps what it was."""
    assignment, incident = _locked_assignment(assignment)
    review = incident.review
    require(policy.can_manage(user, review), "Only facilitators record role assignments.")
    _require_editable(review)
    audit.record(
        user,
        "incident.role_removed",
        assignment,
        url=review.get_absolute_url(),
        changes={field: [value, None] for field, value in audit.snapshot(assignment, ASSIGNMENT_FIELDS).items()},
    )
    assignment.delete()


# Timeline -----------------------------------------------------------------


def _check_entry(at, what):
    if errors := moments.check_window({"at": at}):
        raise ValidationError(errors)
    if at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"at": ["This is in the future."]})
    if not what.strip():
        raise ValidationError({"what": ["Say what happened."]})


@transaction.atomic
def timeline_entry_add(user, incident, *, at, what, kind=EntryKind.NOTE, who=""):
    review = incident.review
    require(policy.can_manage(user, review), "Only facilitators edit the timeline.")
    _require_editable(review)
    _check_entry(at, what)
    entry = TimelineEntry.objects.create(incident=incident, at=at, kind=kind, who=who, what=what, created_by=user)
    audit.record(user, "timeline.added", entry, url=review.get_absolute_url(), note=what[:1000])
    return entry


ENTRY_FIELDS = ("at", "kind", "who", "what")


@transaction.atomic
def timeline_entry_edit(user, entry, *, version=None, **values):
    """Correct an entry: when, what kind, who, what. Fields left out keep their value; with the
    ``version`` the editor read, a save made meanwhile is a conflict, not overwritten."""
    entry = TimelineEntry.objects.select_for_update(of=("self",)).select_related("incident__review").get(pk=entry.pk)
    review = entry.incident.review
    require(policy.can_manage(user, review), "Only facilitators edit the timeline.")
    _require_editable(review)
    unknown = set(values) - set(ENTRY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown timeline entry fields: {sorted(unknown)}")
    check_version(entry, version, list(values))
    merged = {field: values.get(field, getattr(entry, field)) for field in ENTRY_FIELDS}
    _check_entry(merged["at"], merged["what"])
    before = audit.snapshot(entry, ENTRY_FIELDS)
    for field, value in merged.items():
        setattr(entry, field, value)
    entry.version += 1
    entry.save()
    changes = audit.diff(before, audit.snapshot(entry, ENTRY_FIELDS))
    if changes:
        audit.record(user, "timeline.edited", entry, url=review.get_absolute_url(), changes=changes)
    return entry


@transaction.atomic
def timeline_entry_delete(user, entry):
    review = entry.incident.review
    require(policy.can_manage(user, review), "Only facilitators edit the timeline.")
    _require_editable(review)
    audit.record(
        user,
        "timeline.deleted",
        entry,
        url=review.get_absolute_url(),
        changes={"what": [entry.what, None], "at": [entry.at.isoformat(), None]},
    )
    entry.delete()


# Participants and scores ----------------------------------------------------


@transaction.atomic
def participant_invite(user, review, *, invitee):
    require(policy.can_manage(user, review), "Only facilitators invite participants.")
    _require_editable(review)
    participant, created = Participant.objects.get_or_create(review=review, user=invitee, defaults={"invited_by": user})
    if not created:
        raise ValidationError({"user": [f"{invitee.get_full_name() or invitee} is already a participant."]})
    audit.record(user, "review.participant_invited", review, changes={"participant": [None, invitee.get_username()]})
    notices.invited(user, participant)
    return participant


@transaction.atomic
def participant_remove(user, participant):
    """Take back an invitation made by mistake while the review is open. Scores the person
    submitted leave with them, and a consolidated score is worked out again without them."""
    review = Review.objects.select_for_update().get(pk=participant.review_id)
    require(policy.can_manage(user, review), "Only facilitators change who takes part.")
    _require_editable(review)
    submitted = participant.submitted_at is not None
    audit.record(
        user,
        "review.participant_removed",
        review,
        changes={"participant": [participant.user.get_username(), None]},
        note="Their submitted scores were withdrawn with them." if submitted else "",
    )
    participant.delete()
    notices.withdrawn(participant.user, review)
    if submitted and review.clarity_score is not None:
        if review.participants.filter(submitted_at__isnull=False).exists():
            _consolidate(review)
        else:
            DimensionResult.objects.filter(review=review).delete()
            review.clarity_score = None
            review.save(update_fields=["clarity_score", "updated_at"])


@transaction.atomic
def scores_save(user, review, *, scores, submit=False):
    """Save the participant's own scores: ``{dimension: (score, evidence)}``.

    ``submit`` marks them submitted (all six dimensions needed); submitted
    scores stay editable while the review is in review.
    """
    review = Review.objects.select_for_update().get(pk=review.pk)
    participant = review.participants.filter(user=user).first()
    if participant is None:
        raise PermissionDenied("Only the review's participants score it.")
    if review.state != ReviewState.IN_REVIEW:
        raise ValidationError("Scores can be given only while the review is in review.")
    errors = {}
    clean = {}
    for dimension, (score, evidence) in scores.items():
        dimension = int(dimension)
        if dimension not in Dimension.values:
            errors[f"dimension_{dimension}"] = ["Unknown rubric dimension."]
            continue
        if score in (None, ""):
            continue
        if not isinstance(score, int) or not 1 <= score <= 5:
            errors[f"score_{dimension}"] = ["Give a score from 1 to 5."]
            continue
        clean[dimension] = (score, (evidence or "").strip())
    if submit:
        existing = dict(participant.scores.values_list("dimension", "score"))
        missing = [d for d in Dimension.values if d not in clean and d not in existing]
        for dimension in missing:
            errors[f"score_{dimension}"] = ["Score every dimension before submitting."]
    if errors:
        raise ValidationError(errors)
    for dimension, (score, evidence) in clean.items():
        Score.objects.update_or_create(
            participant=participant, dimension=dimension, defaults={"score": score, "evidence": evidence}
        )
    if submit and participant.submitted_at is None:
        participant.submitted_at = timezone.now()
        participant.save(update_fields=["submitted_at"])
        # Scores stay blind until publishing: the trail says who submitted, not what.
        audit.record(user, "review.scores_submitted", review)
    elif clean and participant.submitted_at is not None:
        audit.record(user, "review.scores_changed", review)
    return participant


@transaction.atomic
def scores_consolidate(user, review):
    """Store the per-dimension median and spread and the overall score, while the review is
    in review (publishing consolidates for good). Blind to participants until they submit."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    require(policy.can_manage(user, review), "Only facilitators consolidate scores.")
    _require_not_archived(review)
    if review.state != ReviewState.IN_REVIEW:
        raise ValidationError(
            f"Scores are consolidated while the review is in review (this one is {review.get_state_display().lower()})."
        )
    if not review.participants.filter(submitted_at__isnull=False).exists():
        raise ValidationError("Consolidate after at least one participant has submitted their scores.")
    summaries = _consolidate(review)
    audit.record(user, "review.consolidated", review, changes={"clarity_score": [None, review.clarity_score]})
    return summaries


def _consolidate(review):
    summaries = consolidate(selectors.submitted_scores(review).values_list("dimension", "score"))
    DimensionResult.objects.filter(review=review).delete()
    DimensionResult.objects.bulk_create(
        DimensionResult(review=review, dimension=s.dimension, median=s.median, spread=s.spread, count=s.count)
        for s in summaries
        if s.count
    )
    review.clarity_score = clarity_score(summaries)
    review.save(update_fields=["clarity_score", "updated_at"])
    return summaries


# State transitions ----------------------------------------------------------


def _transition(user, review, expected, target, message):
    review = Review.objects.select_for_update().get(pk=review.pk)
    require(policy.can_manage(user, review), "Only facilitators move a review between states.")
    _require_not_archived(review)
    if review.state not in expected:
        raise ValidationError(message.format(state=review.get_state_display().lower()))
    verb = {ReviewState.IN_REVIEW: "started", ReviewState.DRAFT: "returned_to_draft"}.get(target, target)
    audit.record(user, f"review.{verb}", review, changes={"state": [review.state, target]})
    review.state = target
    review.version += 1
    return review


@transaction.atomic
def review_start(user, review):
    """draft → in review: participants can now score."""
    review = _transition(user, review, [ReviewState.DRAFT], ReviewState.IN_REVIEW, "Only a draft can go into review.")
    if not review.participants.exists():
        raise ValidationError("Invite at least one participant before starting the review.")
    review.scoring_opened_at = timezone.now()
    review.save()
    notices.scoring_opened(user, review)
    return review


@transaction.atomic
def review_return_to_draft(user, review):
    review = _transition(
        user, review, [ReviewState.IN_REVIEW], ReviewState.DRAFT, "Only a review in review can go back to draft."
    )
    review.save()
    return review


@transaction.atomic
def review_publish(user, review):
    """in review → published: consolidates the scores and freezes the text."""
    review = _transition(
        user,
        review,
        [ReviewState.IN_REVIEW],
        ReviewState.PUBLISHED,
        "Only a review in review can be published (this one is {state}).",
    )
    if blockers := selectors.publish_blockers(review):
        field, message = blockers[0]
        raise ValidationError({field: [message]} if field else message)
    review.published_at = timezone.now()
    review.save()
    _consolidate(review)
    ReviewText.objects.create(
        review=review,
        number=1,
        narrative=review.narrative,
        findings=list(review.findings.values_list("text", flat=True)),
        author=user,
        reason="Published",
    )
    notices.published(user, review)
    return review


@transaction.atomic
def review_amend(user, review, *, narrative, reason, version=None):
    """Change a published review's narrative; the earlier text stays visible."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    require(policy.can_manage(user, review), "Only facilitators amend a review.")
    _require_not_archived(review)
    if not review.is_public:
        raise ValidationError("Only a published review is amended; edit a draft directly.")
    check_version(review, version, ["narrative"])
    errors = {}
    if not reason.strip():
        errors["reason"] = ["Say why the review is amended."]
    if narrative.strip() == review.narrative.strip():
        errors["narrative"] = ["The amended narrative is the same as the published one."]
    if errors:
        raise ValidationError(errors)
    number = (review.texts.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    audit.record(
        user,
        "review.amended",
        review,
        note=reason.strip(),
        changes={"narrative": [review.narrative, narrative], "state": [review.state, ReviewState.AMENDED]},
    )
    review.narrative = narrative
    review.state = ReviewState.AMENDED
    review.version += 1
    review.save()
    ReviewText.objects.create(
        review=review,
        number=number,
        narrative=narrative,
        findings=list(review.findings.values_list("text", flat=True)),
        author=user,
        reason=reason.strip(),
    )
    notices.amended(user, review, number, reason.strip())
    return review


# Archiving ----------------------------------------------------------------------


@transaction.atomic
def review_archive(user, review, *, reason):
    """Take a review out of lists and figures (a duplicate, a test, a mistake). Nothing is
    deleted: it stays readable at its address, the reason is kept, and it can be restored."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    require(policy.can_manage(user, review), "Only facilitators archive reviews.")
    if review.is_archived:
        raise ValidationError("This review is already archived.")
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Say why it is archived (a duplicate, a test, …): others will see it."]})
    if len(reason.strip()) > 2000:
        raise ValidationError({"reason": ["Keep the reason under 2,000 characters."]})
    review.archived_at = timezone.now()
    review.archived_by = user
    review.archive_reason = reason.strip()
    review.version += 1
    review.save()
    audit.record(user, "review.archived", review, note=review.archive_reason)
    return review


@transaction.atomic
def review_restore(user, review):
    review = Review.objects.select_for_update().get(pk=review.pk)
    require(policy.can_manage(user, review), "Only facilitators restore reviews.")
    if not review.is_archived:
        raise ValidationError("This review is not archived.")
    audit.record(user, "review.restored", review, note=review.archive_reason)
    review.archived_at = None
    review.archived_by = None
    review.archive_reason = ""
    review.version += 1
    review.save()
    return review


# Findings and action items --------------------------------------------------


@transaction.atomic
def finding_add(user, review, *, text):
    require(policy.can_manage(user, review), "Only facilitators record findings.")
    _require_editable(review)
    if not text.strip():
        raise ValidationError({"text": ["Describe the finding."]})
    finding = Finding.objects.create(review=review, text=text.strip(), created_by=user)
    audit.record(user, "finding.added", finding, url=review.get_absolute_url(), note=finding.text)
    return finding


@transaction.atomic
def finding_edit(user, finding, *, text=None, version=None):
    """Reword a finding while the review is open; with the ``version`` the editor read, a save
    made meanwhile is a conflict, not overwritten."""
    review = Review.objects.select_for_update().get(pk=finding.review_id)  # the review first, as everywhere
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    require(policy.can_manage(user, review), "Only facilitators record findings.")
    _require_editable(review)
    check_version(finding, version, ["text"])
    text = finding.text if text is None else text  # left out: kept
    if not text.strip():
        raise ValidationError({"text": ["Describe the finding."]})
    before = audit.snapshot(finding, ["text"])
    finding.text = text.strip()
    finding.version += 1
    finding.save(update_fields=["text", "version"])
    if changes := audit.diff(before, audit.snapshot(finding, ["text"])):
        audit.record(user, "finding.edited", finding, url=review.get_absolute_url(), changes=changes)
    return finding


@transaction.atomic
def finding_delete(user, finding):
    """Remove a finding recorded twice or by mistake; its action items stay, no longer tied to it."""
    review = Review.objects.select_for_update().get(pk=finding.review_id)  # a publish meanwhile is seen
    require(policy.can_manage(user, review), "Only facilitators record findings.")
    _require_editable(review)
    actions = list(finding.actions.values_list("title", flat=True))
    note = f"Its action items stay: {', '.join(actions)}"[:1000] if actions else ""
    audit.record(
        user,
        "finding.deleted",
        finding,
        url=review.get_absolute_url(),
        changes={"text": [finding.text, None]},
        note=note,
    )
    finding.delete()


def _check_action(review, *, title, finding, due_on, due_changed=True):
    errors = {}
    if not title.strip():
        errors["title"] = ["Say what will be done."]
    if finding is not None and finding.review_id != review.pk:
        errors["finding"] = ["That finding belongs to another review."]
    if message := moments.window_error(due_on):
        errors["due_on"] = [message]
    elif due_changed and due_on < timezone.localdate() and not review.is_public:
        errors["due_on"] = ["The due date is in the past."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def action_item_add(user, review, *, title, owner, due_on, kind=ActionKind.OTHER, finding=None):
    require(policy.can_manage(user, review), "Only facilitators create action items.")
    _require_not_archived(review)
    _check_action(review, title=title, finding=finding, due_on=due_on)
    item = ActionItem.objects.create(
        review=review, title=title.strip(), owner=owner, due_on=due_on, kind=kind, finding=finding, created_by=user
    )
    audit.record(
        user,
        "action_item.created",
        item,
        url=review.get_absolute_url(),
        changes={"owner": [None, owner.get_username()], "due_on": [None, due_on.isoformat()]},
    )
    notices.action_assigned(user, item)
    return item


ACTION_FIELDS = ("title", "owner", "due_on", "kind", "finding")


@transaction.atomic
def action_item_edit(user, item, *, version=None, **values):
    """Change what an action item says, who owns it, when it is due or its finding. Fields left
    out keep their value; with the ``version`` the editor read, a save made meanwhile is a
    conflict. Action items live on after publishing, so this works on published reviews too."""
    item = ActionItem.objects.select_for_update(of=("self",)).select_related("review").get(pk=item.pk)
    review = item.review
    require(policy.can_manage(user, review), "Only facilitators change action items.")
    _require_not_archived(review)
    unknown = set(values) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown action item fields: {sorted(unknown)}")
    check_version(item, version, list(values))
    merged = {field: values.get(field, getattr(item, field)) for field in ACTION_FIELDS}
    _check_action(
        review,
        title=merged["title"],
        finding=merged["finding"],
        due_on=merged["due_on"],
        due_changed=merged["due_on"] != item.due_on,
    )
    merged["title"] = merged["title"].strip()
    before = audit.snapshot(item, ACTION_FIELDS)
    for field, value in merged.items():
        setattr(item, field, value)
    item.version += 1
    item.save()
    if changes := audit.diff(before, audit.snapshot(item, ACTION_FIELDS)):
        audit.record(user, "action_item.edited", item, url=review.get_absolute_url(), changes=changes)
        if "owner" in changes and item.state == ActionState.OPEN:
            notices.action_assigned(user, item)
    return item


@transaction.atomic
def action_item_set_state(user, item, *, state, reason="", version=None):
    """Mark an action item done, dropped (with a reason) or open again."""
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    require(policy.can_update_action(user, item), "Only the owner or a facilitator updates this action item.")
    check_version(item, version, ["state", "dropped_reason"])
    if state not in ActionState.values:
        raise ValidationError({"state": ["Unknown state."]})
    if state == ActionState.DROPPED and not reason.strip():
        raise ValidationError({"dropped_reason": ["Say why the action item is dropped."]})
    before = audit.snapshot(item, ["state", "dropped_reason"])
    item.state = state
    item.dropped_reason = reason.strip() if state == ActionState.DROPPED else ""
    item.completed_at = timezone.now() if state == ActionState.DONE else None
    item.version += 1
    item.save()
    audit.record(
        user,
        f"action_item.{state}",
        item,
        url=item.review.get_absolute_url(),
        changes=audit.diff(before, audit.snapshot(item, ["state", "dropped_reason"])),
    )
    if state != ActionState.OPEN and before["state"] != state:
        notices.action_closed(user, item)
    return item


@transaction.atomic
def action_item_done_elsewhere(user, item, *, note):
    """The work the action item asked for was done elsewhere: the playbook revision it prompted was
    approved, or its issue in the engineering tracker was closed. The item is done, if still open.

    The approval, or the tracker, is the authority here (playbook/policy.py says who approves),
    so no role is asked of ``user``, the approver (None for a tracker). Returns whether the item
    changed."""
    item = ActionItem.objects.select_for_update().get(pk=item.pk)  # its row only, not its review's
    if item.state != ActionState.OPEN:
        return False
    item.state = ActionState.DONE
    item.completed_at = timezone.now()
    item.version += 1
    item.save()
    audit.record(
        user,
        "action_item.done",
        item,
        url=item.review.get_absolute_url(),
        note=note,
        changes={"state": [ActionState.OPEN, ActionState.DONE]},
    )
    notices.action_closed(user, item)
    return True


# Blameless language ---------------------------------------------------------


@transaction.atomic
def language_hit_dismiss(user, review, *, phrase, reason):
    require(policy.can_manage(user, review), "Only facilitators dismiss language hints.")
    phrase = phrase.strip().lower()[:200]
    errors = {}
    if not phrase:
        errors["phrase"] = ["Which phrase?"]
    if not reason.strip():
        errors["reason"] = ["Say why this wording is fine here."]
    if errors:
        raise ValidationError(errors)
    dismissal, _ = LanguageDismissal.objects.update_or_create(
        review=review, phrase=phrase, defaults={"reason": reason.strip()[:500], "dismissed_by": user}
    )
    audit.record(user, "review.language_hint_dismissed", review, note=f"“{phrase}”: {dismissal.reason}")
    return dismissal


# Reminders (Celery) ---------------------------------------------------------

REMIND_DAYS_BEFORE = 2


def action_item_reminders_send(today=None):
    """Tell each owner once about their items due within two days and once about overdue ones;
    an item is reminded once per kind and due date, and each owner gets one mail per run.

    Derived from the database and the record of what was told, so running it twice, late or
    concurrently tells nothing twice. Returns the owners told.
    """
    today = today or timezone.localdate()
    open_items = ActionItem.objects.open().select_related("owner", "review__incident")
    batches = {
        ReminderKind.DUE_SOON: open_items.filter(
            due_on__gte=today, due_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE)
        ),
        ReminderKind.OVERDUE: open_items.filter(due_on__lt=today),
    }
    told = 0
    for kind, items in batches.items():
        by_owner = {}
        for item in items.exclude(reminders__kind=kind, reminders__due_on=F("due_on")).order_by("owner_id", "due_on"):
            by_owner.setdefault(item.owner, []).append(item)
        for owner, owner_items in by_owner.items():
            told += _remind(owner, kind, owner_items, today)
    delivery.deliver_pending()
    return told


@transaction.atomic
def _remind(owner, kind, items, today):
    """Claim the reminders (unique rows) and tell the owner, together; a lost race tells nothing."""
    claimed = [
        item
        for item in items
        if notify.claim(ActionReminder, action_item=item, kind=kind, due_on=item.due_on, sent_on=today)
    ]
    if not claimed:
        return 0
    context = {"owner": owner, "items": claimed, "kind": kind, "today": today, "site_url": settings.SITE_URL}
    title = f"{len(claimed)} action item{'s' if len(claimed) != 1 else ''} " + (
        "due soon" if kind == ReminderKind.DUE_SOON else "overdue"
    )
    told = notifications.notify(
        [owner],
        f"action_item.{kind}",
        key=f"action_item.{kind}:{today.isoformat()}:" + ",".join(str(item.pk) for item in claimed),
        title=title,
        body=render_to_string("reviews/email/action_reminder.txt", context),
        url=reverse("home"),
        deliver=False,
    )
    return len(told)


def score_reminders_send(now=None):
    """Remind each participant once per scoring round when a review has been in scoring
    ``SCORE_REMINDER_DAYS`` without their scores. Returns the participants told."""
    days = settings.SCORE_REMINDER_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    due = (
        Participant.objects.filter(
            submitted_at__isnull=True,
            review__state=ReviewState.IN_REVIEW,
            review__archived_at__isnull=True,
            review__scoring_opened_at__lte=cutoff,
        )
        .select_related("user", "review__incident")
        .order_by("review_id", "pk")
    )
    by_review = {}
    for participant in due:
        by_review.setdefault(participant.review, []).append(participant)
    for review, participants in by_review.items():
        with transaction.atomic():
            notices.score_reminder(review, participants, days)
    delivery.deliver_pending()
    return sum(len(people) for people in by_review.values())
