"""The living escalation playbook: sections, immutable versions, revisions,
and the quarterly review cycle."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.models import SentNotice


class SectionContent(models.Model):
    """The structured content of a playbook section (shared by versions and revisions)."""

    pattern = models.CharField(
        "incident pattern", max_length=200, help_text="e.g. “Payment outage reported by an enterprise customer”."
    )
    recognise = models.TextField("how to recognise it", blank=True, help_text="Markdown.")
    # {role: {"team": team_id | None, "person": user_id | None}} for the five ownership roles.
    ownership_map = models.JSONField(default=dict, blank=True)
    target_ownership_minutes = models.PositiveIntegerField("time-to-ownership target (minutes)", null=True, blank=True)
    target_first_update_minutes = models.PositiveIntegerField(
        "time-to-first-update target (minutes)", null=True, blank=True
    )
    update_cadence_minutes = models.PositiveIntegerField("update cadence (minutes)", null=True, blank=True)
    target_resolution_minutes = models.PositiveIntegerField(
        "time-to-resolution target (minutes)", null=True, blank=True
    )
    change_authority = models.TextField("who may authorise a production change", blank=True)
    approvals_required = models.PositiveSmallIntegerField("approvals required", default=1)
    acceptable_risks = models.TextField("risks that may be accepted", blank=True, help_text="Markdown.")
    fallback_options = models.TextField("fallback options", blank=True, help_text="Markdown.")
    contingency_contacts = models.TextField("contingency contacts", blank=True, help_text="Markdown.")
    script_acknowledge = models.TextField("script: acknowledge", blank=True, help_text="Markdown.")
    script_known = models.TextField("script: what is known", blank=True, help_text="Markdown.")
    script_unknown = models.TextField("script: what is not yet known", blank=True, help_text="Markdown.")
    script_next_steps = models.TextField("script: next steps", blank=True, help_text="Markdown.")
    script_next_update = models.TextField("script: next update time", blank=True, help_text="Markdown.")

    CONTENT_FIELDS = (
        "pattern",
        "recognise",
        "ownership_map",
        "target_ownership_minutes",
        "target_first_update_minutes",
        "update_cadence_minutes",
        "target_resolution_minutes",
        "change_authority",
        "approvals_required",
        "acceptable_risks",
        "fallback_options",
        "contingency_contacts",
        "script_acknowledge",
        "script_known",
        "script_unknown",
        "script_next_steps",
        "script_next_update",
    )
    MARKDOWN_FIELDS = (
        "recognise",
        "acceptable_risks",
        "fallback_options",
        "contingency_contacts",
        "script_acknowledge",
        "script_known",
        "script_unknown",
        "script_next_steps",
        "script_next_update",
    )

    class Meta:
        abstract = True

    def content(self):
        return {field: getattr(self, field) for field in self.CONTENT_FIELDS}

    def targets(self):
        """Metric targets as timedeltas (reviews/metrics.py keys)."""
        pairs = {
            "time_to_ownership": self.target_ownership_minutes,
            "time_to_first_update": self.target_first_update_minutes,
            "time_to_resolution": self.target_resolution_minutes,
        }
        return {key: timedelta(minutes=value) for key, value in pairs.items() if value}


class Section(models.Model):
    """One incident pattern of the playbook. Its content lives in its versions."""

    slug = models.SlugField(max_length=120, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_sections",
        help_text="Responsible for the section's quarterly review.",
    )
    current = models.OneToOneField(
        "SectionVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    is_active = models.BooleanField(default=True, help_text="Inactive sections are archived: no quarterly task.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.current.pattern if self.current else self.slug

    def get_absolute_url(self):
        return reverse("playbook:section", args=[self.slug])


class SectionVersion(SectionContent):
    """A published version of a section. Never edited: a change is a new version."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    revision = models.OneToOneField(
        "Revision", on_delete=models.PROTECT, null=True, blank=True, related_name="published_version"
    )
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["section", "number"]
        constraints = [models.UniqueConstraint(fields=["section", "number"], name="unique_section_version_number")]
        indexes = [models.Index(fields=["section", "published_at"])]

    def __str__(self):
        return f"{self.pattern} v{self.number}"

    def get_absolute_url(self):
        return reverse("playbook:version", args=[self.section.slug, self.number])


class RevisionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Revision(SectionContent):
    """A proposed full new version of a section (or a new section)."""

    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        help_text="Empty for a proposed new section.",
    )
    new_slug = models.SlugField("address of the new section", max_length=120, blank=True)
    new_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="owner of the new section",
    )
    base = models.ForeignKey(
        SectionVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions_based_on",
        help_text="The published version this was written against.",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="revisions")
    rationale = models.TextField(help_text="Why the playbook should change.")
    state = models.CharField(max_length=12, choices=RevisionState.choices, default=RevisionState.DRAFT)
    prompted_by_review = models.ForeignKey(
        "reviews.Review", on_delete=models.SET_NULL, null=True, blank=True, related_name="playbook_revisions"
    )
    prompted_by_action = models.ForeignKey(
        "reviews.ActionItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="playbook_revisions"
    )
    review_task = models.ForeignKey(
        "ReviewTask", on_delete=models.SET_NULL, null=True, blank=True, related_name="revisions"
    )
    restored_from = models.ForeignKey(
        SectionVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="restorations"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    attested_regulatory = models.BooleanField(
        default=False, help_text="The approver attests the change fits the organisation's regulatory requirements."
    )
    attested_blameless = models.BooleanField(
        default=False, help_text="The approver attests the change follows the blameless principle."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["state", "section"])]

    def __str__(self):
        return f"Revision #{self.pk}: {self.pattern}"

    def get_absolute_url(self):
        return reverse("playbook:revision", args=[self.pk])

    @property
    def is_open(self):
        return self.state in (RevisionState.DRAFT, RevisionState.SUBMITTED)


class ReviewCycle(models.Model):
    """One quarter's review of every active section."""

    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["year", "quarter"], name="one_cycle_per_quarter")]

    def __str__(self):
        return f"{self.year} Q{self.quarter}"

    @property
    def label(self):
        return str(self)


class TaskState(models.TextChoices):
    OPEN = "open", "Open"
    PENDING = "pending", "Revision pending"
    DONE = "done", "Done"


class ReviewTask(models.Model):
    """A section owner's quarterly review of their section."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="tasks")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_tasks")
    due_on = models.DateField()
    state = models.CharField(max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    note = models.TextField(blank=True, help_text="For “reviewed, no change needed”: what was checked.")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who marked it reviewed: its assignee, or a governance owner on their behalf.",
    )
    reassigned_at = models.DateTimeField(
        null=True, blank=True, help_text="When a governance owner last gave it to someone else."
    )
    reassigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminder_asked_at = models.DateTimeField(
        null=True, blank=True, help_text="When a governance owner last asked for a reminder to go out now."
    )
    reminder_asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_on", "section__slug"]
        constraints = [models.UniqueConstraint(fields=["cycle", "section"], name="one_task_per_section_per_cycle")]

    def __str__(self):
        return f"{self.cycle}: {self.section}"

    def get_absolute_url(self):
        return reverse("playbook:task", args=[self.pk])

    @property
    def done_on_behalf(self):
        """Marked reviewed by someone other than its assignee (a governance owner)."""
        return self.completed_by_id is not None and self.completed_by_id != self.assignee_id


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", "Reminder to the owner"
    ESCALATION = "escalation", "Escalation to governance"
    OVERDUE = "overdue", "Overdue, to the owner"
    ASSIGNED = "assigned", "Reassigned to the owner"
    REMIND_NOW = "remind_now", "Reminder a governance owner asked for"


class TaskNotice(SentNotice):
    """A mail about a task that was sent, so none is sent twice.

    ``occasion`` says which one: the due date a reminder or escalation was about (a later
    due date is reminded again), or the moment of the reassignment or of the reminder a
    governance owner asked for."""

    task = models.ForeignKey(ReviewTask, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    occasion = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "recipient", "occasion"], name="one_notice_per_task_kind_recipient_occasion"
            )
        ]

    def __str__(self):
        return f"{self.kind} for {self.task} to {self.recipient}"
