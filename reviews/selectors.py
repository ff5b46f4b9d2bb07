"""Reads for the review pages and API, in a constant number of queries."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, Exists, F, FloatField, OuterRef, Prefetch, Subquery, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from reviews import language, policy
from reviews.metrics import clarity_score, consolidate, incident_metrics
from reviews.models import (
    CORE_ROLES,
    ActionItem,
    ActionState,
    Dimension,
    EntryKind,
    Incident,
    OwnershipRole,
    Participant,
    Review,
    ReviewState,
    RoleAssignment,
    Score,
)


def _participants(**filters):
    """How many participants a review has: a subquery, evaluated only for the rows on the page
    (an annotated Count would group every visible review before the page is cut)."""
    counted = Participant.objects.filter(review=OuterRef("pk"), **filters).order_by().values("review")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


def version_in_force(section, moment):
    """The playbook section's version published last at or before ``moment`` (else its first):
    the targets an escalation is measured against. Read through the incident's relation, so
    reviews need not import the playbook app that builds on it."""
    if section is None:
        return None
    versions = section.versions.order_by("number")
    return versions.filter(published_at__lte=moment).last() or versions.first()


def review_list(user):
    """The reviews ``user`` may open, each with ``viewer_submitted`` (whether they submitted their
    own scores on it) and ``shown_clarity``: the clarity score, or None while it is blind to them,
    which is also what the list sorts by (sorting by the stored score would reveal its order)."""
    mine = Exists(Participant.objects.filter(review=OuterRef("pk"), user=user.pk, submitted_at__isnull=False))
    shown = Case(
        When(policy.consolidation_visible(user, mine), then=F("clarity_score")), default=None, output_field=FloatField()
    )
    return (
        policy.visible_reviews(user)
        .select_related("incident", "incident__team", "facilitator")
        .annotate(
            participant_count=_participants(),
            submitted_count=_participants(submitted_at__isnull=False),
            viewer_submitted=mine,
            shown_clarity=shown,
        )
        .order_by("-incident__escalated_at", "-pk")
    )


def visible_clarity(review, user):
    """The review's clarity score as ``user`` may see it: None while it is blind to them.

    Reads ``shown_clarity`` from ``review_list`` rows, else asks the policy with the prefetched participants."""
    if hasattr(review, "shown_clarity"):
        return review.shown_clarity
    submitted = getattr(review, "viewer_submitted", None)
    if submitted is None:
        submitted = any(p.user_id == user.pk and p.submitted_at for p in review.participants.all())
    return review.clarity_score if policy.can_see_consolidation(user, review, submitted=submitted) else None


def review_or_404(user, pk, *, for_page=False):
    """The review ``pk`` if ``user`` may open it, else 404: the one lookup pages and the API share.
    ``for_page`` fetches everything the review page shows with it."""
    return get_object_or_404(policy.visible_reviews(user, _for_page() if for_page else None), pk=pk)


def review_for_page(pk):
    """One review with everything its page shows, prefetched."""
    return _for_page().get(pk=pk)


def _for_page():
    # Few joins in the main query: PostgreSQL's planner spent 4-8 ms on the eight-table join
    # it was (for a lookup by id that runs in 0.3 ms); what hangs off the incident comes in
    # small queries of its own.
    return Review.objects.select_related("incident", "incident__team", "facilitator").prefetch_related(
        "incident__playbook_version",
        "incident__playbook_section",
        "archived_by",
        Prefetch("incident__assignments", queryset=RoleAssignment.objects.select_related("person")),
        "incident__entries",
        Prefetch(
            "participants",
            queryset=Participant.objects.select_related("user").prefetch_related(
                Prefetch("scores", queryset=Score.objects.order_by("dimension"))
            ),
        ),
        "findings",
        Prefetch(
            "action_items",
            queryset=ActionItem.objects.select_related("owner", "finding").prefetch_related("playbook_revisions"),
        ),
        "texts__author",
        "dismissals",
        "dimension_results",
    )


#: The three times, in a word or two, for the review page's header.
SHORT_METRIC_NAMES = {
    "time_to_ownership": "Owned in",
    "time_to_first_update": "First update in",
    "time_to_resolution": "Resolved in",
}

SHORT_ROLE_NAMES = {
    OwnershipRole.INVESTIGATION_LEAD: "Lead",
    OwnershipRole.COMMUNICATIONS_OWNER: "Comms",
    OwnershipRole.DECISION_OWNER: "Decisions",
}


@dataclass
class RoleView:
    role: str
    label: str
    core: bool
    history: list = field(default_factory=list)
    reported: list = field(default_factory=list)  # what tools reported beside a history recorded by hand

    @property
    def current(self):
        open_ = [a for a in self.history if a.ended_at is None]
        return open_[-1] if open_ else None

    @property
    def is_gap(self):
        return not self.history

    @property
    def short(self):
        """The role in a word, for the review page's header."""
        return SHORT_ROLE_NAMES.get(self.role, self.label)

    @property
    def holder(self):
        """Who holds the role now, or held it until the resolution; ``None`` when nobody does
        (a gap, or a role given up with no successor before the escalation was resolved)."""
        if self.current is not None:
            return self.current
        last = self.history[-1] if self.history else None
        return last if last is not None and getattr(last, "to_the_end", False) else None


def ownership(incident):
    """The roles and their histories. An assignment left open when the escalation was resolved
    ends with the resolution (``until``, ``until_resolution``): it is no longer "still held"."""
    roles = {role.value: RoleView(role.value, role.label, role in CORE_ROLES) for role in OwnershipRole}
    resolved = incident.resolved_at
    for assignment in sorted(incident.assignments.all(), key=lambda a: (a.started_at, a.pk)):
        held_past_resolution = (
            assignment.ended_at is None and resolved is not None and resolved >= assignment.started_at
        )
        assignment.until = resolved if held_past_resolution else assignment.ended_at
        assignment.until_resolution = held_past_resolution
        assignment.to_the_end = held_past_resolution or bool(
            resolved and assignment.ended_at and assignment.ended_at >= resolved
        )
        roles[assignment.role].history.append(assignment)
    return list(roles.values())


def timeline_kinds(items):
    """The kinds present on a timeline, in EntryKind's order, with how many of each: the filter."""
    counts = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return [(kind.value, kind.label, counts[kind.value]) for kind in EntryKind if kind.value in counts]


@dataclass
class NextStep:
    text: str
    anchor: str = ""  # the section of the page where it is done
    done: bool = False  # nothing is waiting on the person looking


def next_step(review, user, *, manage, scoring, ownership, metrics):
    """What the person looking at the review should do next, in a few words."""
    participants, submitted = scoring["participants"], scoring["submitted"]
    progress = f"{len(submitted)} of {len(participants)} have scored"
    if review.is_archived:
        return NextStep("Archived: restore it to change it." if manage else "Archived.", done=True)
    if manage and review.is_editable:
        gaps = [role.label.lower() for role in ownership if role.core and role.is_gap]
        if gaps:
            return NextStep(f"Record who held the {_listed(gaps)} role{'s' if len(gaps) > 1 else ''}", "add-role")
        missing = [metric.label.lower() for metric in metrics if metric.value is None and metric.key != "satisfaction"]
        if review.state == ReviewState.DRAFT:
            if not participants:
                return NextStep("Invite the people who took part, so they can score", "scores")
            if missing:
                return NextStep(f"Add the milestones behind {_listed(missing)}, then start the review", "metrics")
            return NextStep("Ready to start the review: participants can then score", "scores")
        if len(submitted) < len(participants):
            return NextStep(progress, "scores")
        if not participants:
            return NextStep("Invite the people who took part, so they can score", "scores")
        if not review.narrative.strip():
            return NextStep("Everyone has scored: write the narrative, then publish", "narrative")
        return NextStep("Everyone has scored: ready to publish", "scores")
    mine = scoring["mine"]
    if mine is not None and review.state == ReviewState.IN_REVIEW:
        if mine.submitted_at is None:
            return NextStep("Score the six dimensions: your scores stay hidden from the others", "scores")
        return NextStep(f"Your scores are in; {progress}", "scores", done=True)
    if review.is_public:
        open_items = [item for item in review.action_items.all() if item.state == ActionState.OPEN]
        mine_open = [item for item in open_items if item.owner_id == user.pk]
        if mine_open:
            return NextStep(f"{len(mine_open)} action item{'s' if len(mine_open) > 1 else ''} of yours open", "actions")
        if manage and open_items:
            return NextStep(
                f"Published; {len(open_items)} action item{'s' if len(open_items) > 1 else ''} still open", "actions"
            )
        return NextStep("Published: nothing waits on you", done=True)
    return NextStep(f"{review.get_state_display()}: {progress}", "scores", done=True)


def publish_blockers(review):
    """What stops a review in review from being published: [(field or None, message)]."""
    blockers = []
    if not any(p.submitted_at for p in review.participants.all()):
        blockers.append((None, "Publish after at least one participant has submitted their scores."))
    if not review.narrative.strip():
        blockers.append(("narrative", "Write the narrative before publishing."))
    return blockers


def _listed(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass
class PublishSummary:
    """What a facilitator should see before publishing."""

    submitted: list
    waiting: list
    wide: list  # dimensions where people disagree widely
    open_actions: list
    language: list  # hints not dismissed
    gaps: list  # core roles nobody held

    @property
    def participants(self):
        return len(self.submitted) + len(self.waiting)

    @property
    def concerns(self):
        return bool(self.waiting or self.wide or self.open_actions or self.language or self.gaps or not self.submitted)


def publish_summary(review, user):
    scoring_ = scoring(review, user)
    summaries = consolidate((s.dimension, s.score) for p in scoring_["submitted"] for s in p.scores.all())
    return PublishSummary(
        submitted=scoring_["submitted"],
        waiting=[p for p in scoring_["participants"] if p.submitted_at is None],
        wide=[s for s in summaries if s.is_wide],
        open_actions=[item for item in review.action_items.all() if item.state == ActionState.OPEN],
        language=language_report(review),
        gaps=[role for role in ownership(review.incident) if role.core and role.is_gap],
    )


@dataclass
class TimelineItem:
    at: datetime
    kind: str
    label: str
    who: str
    what: str
    source: str  # "entry", "milestone" or "role"
    entry: object = None
    key: object = None  # the milestone's field, or the role assignment
    origin: object = None  # where it came from (reviews.provenance), set by the page
    reported: list = field(default_factory=list)  # what tools reported beside a value set by hand


def _name(user):
    return user.get_full_name() or user.get_username()


def timeline(incident):
    """Typed entries merged with milestones and role changes, sorted by time."""
    items = [
        TimelineItem(e.at, e.kind, e.get_kind_display(), e.who, e.what, "entry", e) for e in incident.entries.all()
    ]
    milestone_kinds = {"escalated_at": EntryKind.ESCALATION, "resolved_at": EntryKind.RESOLUTION}
    for field_name, label in Incident.MILESTONES:
        moment = getattr(incident, field_name)
        if moment:
            kind = milestone_kinds.get(
                field_name, EntryKind.CUSTOMER_UPDATE if "update" in field_name else EntryKind.NOTE
            )
            items.append(TimelineItem(moment, kind, "Milestone", "", label, "milestone", key=field_name))
    previous = {}
    for a in sorted(incident.assignments.all(), key=lambda a: (a.started_at, a.pk)):
        before = previous.get(a.role)
        if before is not None and before.ended_at and before.ended_at <= a.started_at:
            what = f"{a.get_role_display()}: handed over from {_name(before.person)} to {_name(a.person)}"
            if a.handover_note:
                what += f". What went with it: {a.handover_note}"
            items.append(
                TimelineItem(a.started_at, EntryKind.HANDOVER, "Handover", _name(a.person), what, "role", key=a)
            )
        else:
            what = f"{_name(a.person)} took the {a.get_role_display().lower()} role"
            items.append(
                TimelineItem(a.started_at, EntryKind.ROLE_CHANGE, "Role change", _name(a.person), what, "role", key=a)
            )
        previous[a.role] = a
    order = {"milestone": 0, "role": 1, "entry": 2}
    return sorted(items, key=lambda item: (item.at, order[item.source]))


def metrics_for(incident):
    """The incident's metrics against the targets of the playbook version in force."""
    targets = incident.playbook_version.targets() if incident.playbook_version_id else None
    return incident_metrics(incident, [(a.role, a.started_at) for a in incident.assignments.all()], targets)


def submitted_scores(review):
    """The scores of the participants who submitted: what consolidation reads."""
    return Score.objects.filter(participant__review=review, participant__submitted_at__isnull=False)


def scoring(review, user):
    """What ``user`` may see of the scores, and their own participation."""
    participants = list(review.participants.all())
    mine = next((p for p in participants if p.user_id == user.pk), None)
    submitted = [p for p in participants if p.submitted_at]
    summaries = consolidate((s.dimension, s.score) for p in submitted for s in p.scores.all())
    may_see_all = policy.can_see_consolidation(user, review, submitted=mine is not None and mine.submitted_at)
    return {
        "participants": participants,
        "mine": mine,
        "my_scores": {s.dimension: s for s in mine.scores.all()} if mine else {},
        "submitted": submitted,
        "summaries": summaries if may_see_all else None,
        "overall": clarity_score(summaries) if may_see_all else None,
        "may_see_all": may_see_all,
        "dimensions": list(Dimension),
    }


def people_names(review):
    names = set()
    people = [review.facilitator] + [a.person for a in review.incident.assignments.all()]
    people += [p.user for p in review.participants.all()]
    for person in people:
        for part in (person.first_name, person.last_name, person.get_full_name()):
            if part and len(part) > 1:
                names.add(part)
    return sorted(names)


@dataclass
class LanguageReport:
    field: str
    label: str
    text: str
    hits: list


def language_report(review):
    """Blaming wording in the review's narrative, findings and notes, minus dismissed phrases."""
    names = people_names(review)
    dismissed = {d.phrase for d in review.dismissals.all()}
    sources = [("narrative", "Narrative", review.narrative)]
    sources += [(f"finding-{f.pk}", "Finding", f.text) for f in review.findings.all()]
    sources += [
        (f"entry-{e.pk}", f"Timeline note ({e.get_kind_display()})", e.what) for e in review.incident.entries.all()
    ]
    sources += [
        (f"handover-{a.pk}", f"Handover note ({a.get_role_display()})", a.handover_note)
        for a in review.incident.assignments.all()
        if a.handover_note
    ]
    reports = []
    for field_name, label, text in sources:
        hits = [hit for hit in language.check(text, names) if hit.phrase.lower() not in dismissed]
        if hits:
            reports.append(LanguageReport(field_name, label, text, hits))
    return reports
