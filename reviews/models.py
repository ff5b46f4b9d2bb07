"""Incidents, who owned what, the timeline, and the blameless review of them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from core.models import SentNotice


class Severity(models.TextChoices):
    SEV1 = "sev1", "SEV1 · critical"
    SEV2 = "sev2", "SEV2 · major"
    SEV3 = "sev3", "SEV3 · moderate"
    SEV4 = "sev4", "SEV4 · minor"


class OwnershipRole(models.TextChoices):
    INVESTIGATION_LEAD = "investigation_lead", "Investigation lead"
    COMMUNICATIONS_OWNER = "communications_owner", "Communications owner"
    DECISION_OWNER = "decision_owner", "Decision owner"
    CUSTOMER_CONTACT = "customer_contact", "Customer single point of contact"
    INTERNAL_LIAISON = "internal_liaison", "Internal liaison"


#: The trio that must be held for ownership to count as established.
MAX_TEXT = 100_000  # characters in one narrative, note or finding, on pages and in the API

CORE_ROLES = (OwnershipRole.INVESTIGATION_LEAD, OwnershipRole.COMMUNICATIONS_OWNER, OwnershipRole.DECISION_OWNER)


class Incident(models.Model):
    """The customer escalation under review and its milestone timestamps."""

    title = models.CharField(max_length=200)
    customer = models.CharField("customer / account", max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.SEV2)
    summary = models.TextField(blank=True)
    customer_summary = models.CharField(
        "summary for the customer",
        max_length=200,
        blank=True,
        help_text="What the customer reads about this escalation in their report: no internal names. "
        "Left empty, the report shows the playbook pattern's name.",
    )
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        help_text="The team that owned the escalation.",
    )
    pattern_name = models.CharField(
        "playbook pattern",
        max_length=200,
        blank=True,
        help_text="The incident pattern it matched, e.g. “Payment outage reported by an enterprise customer”.",
    )
    playbook_section = models.ForeignKey(
        "playbook.Section",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        help_text="The playbook section for the pattern it matched.",
    )
    playbook_version = models.ForeignKey(
        "playbook.SectionVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        editable=False,
        help_text="The section's version in force when the escalation happened.",
    )
    escalated_at = models.DateTimeField("escalated")
    acknowledged_at = models.DateTimeField("acknowledged", null=True, blank=True)
    first_customer_update_at = models.DateTimeField("first customer update", null=True, blank=True)
    resolved_at = models.DateTimeField("customer resolution confirmed", null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        "customer satisfaction",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (very unhappy) to 5 (very happy), as the customer rated the escalation.",
    )
    # Derived from the role assignments (see refresh_ownership_established), stored so that
    # the insights aggregate time-to-ownership over many incidents in one pass.
    ownership_established_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When all three core roles had first been held."
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-escalated_at"]
        indexes = [models.Index(fields=["escalated_at"]), models.Index(fields=["severity", "escalated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True) | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="incident_satisfaction_1_to_5",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # ownership_established_at belongs to the role assignments: an incident saved from an
        # instance read before a role changed must not write back a stale value.
        if not self._state.adding and not args and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "ownership_established_at"
            ]
        super().save(*args, **kwargs)

    MILESTONES = (
        ("escalated_at", "Escalated"),
        ("acknowledged_at", "Acknowledged"),
        ("first_customer_update_at", "First customer update"),
        ("resolved_at", "Customer resolution confirmed"),
    )


class RoleAssignment(models.Model):
    """One person holding one ownership role from ``started_at`` until ``ended_at``."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=30, choices=OwnershipRole.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments")
    started_at = models.DateTimeField("from")
    ended_at = models.DateTimeField("to", null=True, blank=True)
    handover_note = models.TextField(blank=True, help_text="What information went with the role when it changed hands.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["incident", "role", "started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="assignment_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.person}"


def refresh_ownership_established(incident_ids):
    """Store each incident's ``ownership_established_at``: the latest of the three core
    roles' first starts, or None while one of them was never held (two queries)."""
    # reviews.metrics imports this module (CORE_ROLES, Dimension): imported here to break that cycle.
    from reviews.metrics import ownership_established_at

    incident_ids = list(incident_ids)
    firsts = {pk: [] for pk in incident_ids}
    rows = (
        RoleAssignment.objects.filter(incident_id__in=incident_ids, role__in=CORE_ROLES)
        .values_list("incident_id", "role")
        .annotate(first=models.Min("started_at"))
    )
    for incident_id, role, first in rows:
        firsts[incident_id].append((role, first))
    updates = [Incident(pk=pk, ownership_established_at=ownership_established_at(p)) for pk, p in firsts.items()]
    Incident.objects.bulk_update(updates, ["ownership_established_at"], batch_size=500)


@receiver([post_save, post_delete], sender=RoleAssignment, dispatch_uid="reviews.ownership_established")
def _role_assignment_changed(sender, instance, **kwargs):
    refresh_ownership_established([instance.incident_id])


class EntryKind(models.TextChoices):
    DETECTION = "detection", "Detection"
    ESCALATION = "escalation", "Escalation"
    ROLE_CHANGE = "role_change", "Role change"
    HANDOVER = "handover", "Handover"
    DECISION = "decision", "Decision"
    INTERNAL_UPDATE = "internal_update", "Internal update"
    CUSTOMER_UPDATE = "customer_update", "Customer update"
    RESOLUTION = "resolution", "Resolution"
    NOTE = "note", "Note"


class TimelineEntry(models.Model):
    """Something that happened, typed in by the facilitator.

    Milestones and role changes are not typed twice: the timeline shown on the
    review merges these entries with the incident's milestones and assignments.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entries")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=EntryKind.choices, default=EntryKind.NOTE)
    who = models.CharField(max_length=200, blank=True, help_text="Who acted: a person, a team or the customer.")
    what = models.TextField()
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "timeline entries"
        indexes = [models.Index(fields=["incident", "at"]), models.Index(fields=["at", "id"], name="timeline_by_time")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class ReviewState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    AMENDED = "amended", "Amended"


class Dimension(models.IntegerChoices):
    """The ownership-clarity rubric (DESIGN.md)."""

    ROLES_NAMED = 1, "Roles were named and understood at the outset"
    EXPECTATIONS = 2, "Expectations were clearly communicated, inside and to the customer"
    PATH_FOLLOWED = 3, "The escalation path was followed as designed"
    HANDOVERS = 4, "Handovers carried the information the next owner needed"
    DECISION_AUTHORITY = 5, "Decision authority was clear; no contradictory actions"
    ONE_NARRATIVE = 6, "The customer received one coherent narrative"


class Review(models.Model):
    """The blameless post-incident review of one incident."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="review")
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated")
    state = models.CharField(max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT)
    is_exercise = models.BooleanField(
        "exercise", default=False, help_text="A drill or tabletop exercise: scored the same, kept apart in metrics."
    )
    narrative = models.TextField(blank=True, help_text="What happened, told from the system's point of view.")
    # Consolidated when published (and on demand): the mean of the dimension medians, 0–100.
    clarity_score = models.FloatField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When scoring last opened (draft → in review): the round that score reminders count from.
    scoring_opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Reviews are never deleted through the site: an archived one leaves lists and figures,
    # stays readable at its address and can be restored.
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    archive_reason = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-incident__escalated_at"]
        indexes = [
            models.Index(fields=["state"]),
            models.Index(fields=["is_exercise", "state"]),
            # Lists count the reviews that are not archived: an index-only count, not a scan of every narrative.
            models.Index(fields=["id"], condition=models.Q(archived_at__isnull=True), name="reviews_not_archived"),
        ]

    def __str__(self):
        return f"Review of {self.incident}"

    def get_absolute_url(self):
        return reverse("reviews:detail", args=[self.pk])

    @property
    def is_public(self):
        return self.state in (ReviewState.PUBLISHED, ReviewState.AMENDED)

    @property
    def is_editable(self):
        return self.state in (ReviewState.DRAFT, ReviewState.IN_REVIEW) and self.archived_at is None

    @property
    def is_archived(self):
        return self.archived_at is not None


class ReviewText(models.Model):
    """The published text of a review, one row per publication or amendment.

    Amending a published review adds a row; earlier rows stay readable.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="texts")
    number = models.PositiveIntegerField()
    narrative = models.TextField(blank=True)
    findings = models.JSONField(default=list, help_text="The findings' text as published.")
    reason = models.TextField(blank=True, help_text="Why it was amended.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="unique_review_text_number")]

    def __str__(self):
        return f"{self.review} text #{self.number}"


class Participant(models.Model):
    """A person invited to score the review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="unique_review_participant")]

    def __str__(self):
        return f"{self.user} on {self.review}"


class Score(models.Model):
    """One participant's 1–5 score of one rubric dimension, with evidence."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="scores")
    dimension = models.PositiveSmallIntegerField(choices=Dimension.choices)
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    evidence = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["participant", "dimension"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "dimension"], name="unique_score_per_dimension"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="score_1_to_5"),
        ]

    def __str__(self):
        return f"{self.participant}: {self.dimension}={self.score}"


class DimensionResult(models.Model):
    """A consolidated rubric dimension: median and spread of the submitted scores."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="dimension_results")
    dimension = models.PositiveSmallIntegerField(choices=Dimension.choices)
    median = models.FloatField()
    spread = models.PositiveSmallIntegerField(help_text="Highest minus lowest score.")
    count = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["review", "dimension"]
        constraints = [models.UniqueConstraint(fields=["review", "dimension"], name="unique_dimension_result")]

    def __str__(self):
        return f"{self.review}: dimension {self.dimension} median {self.median}"


class Finding(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:80]


class ActionKind(models.TextChoices):
    INCIDENT_TEMPLATE = "incident_template", "Incident template"
    OWNERSHIP_MAP = "ownership_map", "Ownership map"
    MONITORING = "monitoring", "Monitoring"
    PLAYBOOK_CHANGE = "playbook_change", "Playbook change"
    TRAINING = "training", "Training"
    OTHER = "other", "Other"


class ActionState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=ActionState.OPEN)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())


class ActionItem(models.Model):
    """An owned improvement that came out of a finding."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="action_items")
    finding = models.ForeignKey(Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items")
    due_on = models.DateField("due")
    kind = models.CharField(max_length=20, choices=ActionKind.choices, default=ActionKind.OTHER)
    state = models.CharField(max_length=10, choices=ActionState.choices, default=ActionState.OPEN)
    dropped_reason = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "state", "due_on"]),
            models.Index(fields=["due_on", "id"], name="action_items_by_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="dropped") | ~models.Q(dropped_reason=""),
                name="dropped_action_has_reason",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self):
        return self.state == ActionState.OPEN and self.due_on < timezone.localdate()


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"


class ActionReminder(SentNotice):
    """A reminder that was sent: the record that keeps reminders from repeating."""

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    due_on = models.DateField(help_text="The due date the reminder was about.")
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action_item", "kind", "due_on"], name="one_reminder_per_item_kind_due"),
        ]

    def __str__(self):
        return f"{self.kind} reminder for {self.action_item} (due {self.due_on})"


class LanguageDismissal(models.Model):
    """A blameless-language hit the facilitator dismissed, with the reason."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="dismissals")
    phrase = models.CharField(max_length=200, help_text="The flagged phrase, lower-cased.")
    reason = models.CharField(max_length=500)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "phrase"], name="unique_dismissal_per_phrase")]

    def __str__(self):
        return f"“{self.phrase}” dismissed on {self.review}"
