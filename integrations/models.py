"""Sources that send Baton the facts of an escalation, what they sent, and where each fact came from."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class SourceKind(models.TextChoices):
    ZENDESK = "zendesk", "Zendesk"
    PAGERDUTY = "pagerduty", "PagerDuty"
    JIRA = "jira", "Jira Service Management"
    SLACK = "slack", "Slack"
    GENERIC = "generic", "Any other tool (Standard Webhooks)"


def new_token():
    return secrets.token_urlsafe(18)


class Source(models.Model):
    """One connected tool: where its webhooks arrive, how they are verified, which team they map to
    and which of its records count as escalations."""

    kind = models.CharField(max_length=12, choices=SourceKind.choices)
    name = models.CharField(max_length=100, unique=True)
    # The address's token only names the source; the signature proves the sender.
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The team an escalation from this source belongs to, unless the mapping says otherwise.",
    )
    team_map = models.JSONField(
        default=dict,
        blank=True,
        help_text="The tool's group, service or project (id or name) → Baton team slug.",
    )
    rule_tags = models.CharField(
        "escalation tags",
        max_length=300,
        blank=True,
        help_text="A record carrying any of these tags or labels (comma-separated) is an escalation.",
    )
    rule_priorities = models.CharField(
        "escalation priorities",
        max_length=300,
        blank=True,
        help_text="A record with any of these priorities or urgencies (comma-separated) is an escalation.",
    )
    base_url = models.URLField(
        "address of the tool",
        blank=True,
        help_text="E.g. https://acme.zendesk.com: links from Baton to the record use it where the event has none.",
    )
    # Secrets never leave the database: not in the API, the admin, logs or pages (shown once when set).
    secret = models.CharField(max_length=200, editable=False)
    previous_secret = models.CharField(max_length=200, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    api_token = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text="A read-only API token Baton uses to look up people's emails (PagerDuty, Slack, Zendesk).",
    )
    api_url = models.URLField(
        "API address",
        blank=True,
        help_text="Where the tool's API answers, when not its usual address (a data-residency region, a test server).",
    )
    actor = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="integration_source",
        editable=False,
        help_text="The account this source's changes are recorded under (it cannot sign in).",
    )
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("integrations:source", args=[self.pk])

    def webhook_path(self):
        return reverse("integrations:receive", args=[self.token])

    def secrets_in_force(self, now=None):
        """The secrets a signature may be made with: the current one, and the previous one during
        the overlap after a rotation."""
        now = now or timezone.now()
        keys = [self.secret]
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            keys.append(self.previous_secret)
        return keys

    def tags(self):
        return _words(self.rule_tags)

    def priorities(self):
        return _words(self.rule_priorities)

    def is_escalation(self, tags=(), priorities=()):
        """The source's rule: a record is an escalation when it carries one of the rule's tags or
        labels, or one of its priorities or urgencies (case aside); with no rule, every record is."""
        wanted_tags, wanted_priorities = self.tags(), self.priorities()
        if not wanted_tags and not wanted_priorities:
            return True
        given_tags = {str(tag).lower() for tag in tags if isinstance(tag, str)}
        given_priorities = {str(priority).lower() for priority in priorities if priority}
        return bool(given_tags & wanted_tags or given_priorities & wanted_priorities)


def _words(text):
    return {word.strip().lower() for word in text.split(",") if word.strip()}


class Record(models.Model):
    """One record in a tool (a ticket, a paged incident, an issue, a channel) and the Baton
    incident it feeds, if any. Deliveries about one record apply one at a time (its row is the lock)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="records")
    external_id = models.CharField(max_length=200)
    incident = models.ForeignKey(
        "reviews.Incident", on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )
    url = models.URLField(max_length=500, blank=True)
    title = models.CharField(max_length=300, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="one_record_per_source_id")]

    def __str__(self):
        return f"{self.source} {self.external_id}"


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", "Waiting"
    APPLIED = "applied", "Applied"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One verified request from a source, stored before anything is applied."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=200, help_text="The tool's own id of the event: a repeat is applied once.")
    event_type = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    body = models.TextField()
    content_type = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=dict, blank=True, help_text="The request headers that matter (no signatures).")
    imported = models.BooleanField(default=False, help_text="Replayed from a file, not received.")
    record = models.ForeignKey(Record, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED)
    reason = models.TextField(blank=True, help_text="Why it was ignored or failed.")
    attempts = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["source", "event_id"], name="one_delivery_per_event")]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["source", "-received_at"]),
            models.Index(fields=["record", "received_at"]),
        ]

    def __str__(self):
        return f"{self.source} {self.event_type or 'event'} {self.event_id}"

    def get_absolute_url(self):
        return reverse("integrations:delivery", args=[self.pk])

    @property
    def short_type(self):
        """The event type as people read it (Zendesk's carry a long common prefix)."""
        return self.event_type.removeprefix("zen:event-type:")


class Fact(models.Model):
    """One thing a delivery said about an incident, and what Baton did with it.

    ``field`` names what it is about: an incident field (``acknowledged_at``…), ``role:<role>``,
    or ``entry``. ``applied`` facts set the value shown; the others are kept and shown beside a
    value a facilitator set by hand ("Zendesk says 09:12")."""

    incident = models.ForeignKey("reviews.Incident", on_delete=models.CASCADE, related_name="facts")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="facts")
    field = models.CharField(max_length=40)
    at = models.DateTimeField(help_text="When it happened, as the tool says.")
    value = models.TextField(blank=True, help_text="The value as Baton stored it (for a milestone, the moment).")
    shown = models.CharField(max_length=300, blank=True, help_text="The value as people read it.")
    ref = models.CharField(max_length=200, blank=True, help_text="The tool's id of the thing (a message, a comment).")
    applied = models.BooleanField(default=False)
    note = models.TextField(blank=True, help_text="Why it was not applied.")
    written = models.TextField(blank=True, help_text="What Baton wrote from it, to tell a later hand edit.")
    entry = models.ForeignKey(
        "reviews.TimelineEntry", on_delete=models.SET_NULL, null=True, blank=True, related_name="facts"
    )
    assignment = models.ForeignKey(
        "reviews.RoleAssignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="facts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "field", "at"]), models.Index(fields=["ref"])]

    def __str__(self):
        return f"{self.field} = {self.shown or self.value}"

    @property
    def label(self):
        """What the fact is about, as people read it: "Acknowledged", "Investigation lead", "Timeline"."""
        from reviews.models import Incident, OwnershipRole

        if self.field.startswith("role:"):
            role = self.field.split(":", 1)[1]
            return OwnershipRole(role).label if role in OwnershipRole.values else role
        labels = dict(Incident.MILESTONES) | {
            "satisfaction": "Satisfaction",
            "reopened": "Reopened",
            "entry": "Timeline",
        }
        return labels.get(self.field, self.field)


class PersonLink(models.Model):
    """A person in a tool (by the tool's id) and their email, looked up once through the tool's API."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="people")
    external_id = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=200, blank=True)
    looked_up_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="one_link_per_person")]

    def __str__(self):
        return f"{self.name or self.external_id} ({self.source})"


# Outgoing: other systems follow Baton --------------------------------------------------------


class Subscription(models.Model):
    """An outside address that receives Baton's events, signed per Standard Webhooks with its secret."""

    name = models.CharField(max_length=100)
    url = models.URLField("address", max_length=500)
    events = models.JSONField(default=list, help_text="Event types, or a family such as action_item.*")
    # Never shown again after it is made (integrations.services.subscription_create).
    secret = models.CharField(max_length=200, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("integrations:webhook", args=[self.pk])

    def wants(self, event_type):
        return any(
            pattern == event_type or (pattern.endswith(".*") and event_type.startswith(pattern[:-1]))
            for pattern in self.events
        )


class OutgoingMessage(models.Model):
    """One event for one subscription: made once from the audit trail (unique per audit event),
    sent until the subscriber answers 2xx, retried with growing waits for WEBHOOK_RETRY_HOURS."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="messages")
    audit_event_id = models.BigIntegerField()
    msg_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The subscriber's HTTP status.")
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["subscription", "audit_event_id"], name="one_message_per_event")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outgoing_due",
                condition=models.Q(delivered_at__isnull=True, gave_up_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.event_type} → {self.subscription}"

    @property
    def status(self):
        if self.delivered_at:
            return "delivered"
        if self.gave_up_at:
            return "gave up"
        return "retrying" if self.attempts else "waiting"


class OutboxCursor(models.Model):
    """The newest audit event already turned into outgoing messages (a run also re-reads the last
    minutes, for changes whose transaction committed after a newer one)."""

    name = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} at {self.last_id}"


class TrackerLink(models.Model):
    """An action item sent to the engineering tracker: asked for (the claim), then its issue's key
    once made. Done in either place is done in both (integrations.services.trackers_sync)."""

    action_item = models.OneToOneField("reviews.ActionItem", on_delete=models.CASCADE, related_name="tracker_link")
    tracker = models.CharField(max_length=20)
    key = models.CharField(max_length=50, blank=True)
    url = models.URLField(max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    linked_at = models.DateTimeField(null=True, blank=True)
    closed_in_tracker_at = models.DateTimeField(
        null=True, blank=True, help_text="When Baton moved the issue to done (the item was done in Baton)."
    )
    done_in_tracker_at = models.DateTimeField(
        null=True, blank=True, help_text="When the tracker said the issue was done."
    )
    last_synced_at = models.DateTimeField(null=True, blank=True)
    unsure_since = models.DateTimeField(
        null=True, blank=True, help_text="A request to make the issue got no answer: the tracker may have made it."
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tracker", "key"], name="tracker_link_key")]

    def __str__(self):
        return f"{self.key or 'pending'} for action item {self.action_item_id}"
