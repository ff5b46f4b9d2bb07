from django.conf import settings
from django.db import models
from django.utils import timezone


class SentNotice(models.Model):
    """The record that a mail was sent: core.notify.claim() creates one in the transaction that
    sends, and each subclass's unique constraint makes a second send of the same notice impossible."""

    kind = models.CharField(max_length=12)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Heartbeat(models.Model):
    """The last time a scheduled heartbeat task ran on a worker.

    Beat sends the task on a schedule and a worker runs it, so a recent
    ``beat_at`` proves both are alive; /health/ reads it.
    """

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()
    worker = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class ScheduledJob(models.Model):
    """A periodic task that beat sends, adjustable in the admin without a deploy.

    core.scheduler.DatabaseScheduler reads these rows; entries of
    CELERY_BEAT_SCHEDULE are created here on migrate (never overwritten).
    """

    name = models.CharField(max_length=100, unique=True)
    task = models.CharField(max_length=200)
    every_seconds = models.PositiveIntegerField(help_text="Run every this many seconds.")
    enabled = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} every {self.every_seconds}s"


class AuditEvent(models.Model):
    """One change someone (or a scheduled job) made: an append-only record.

    Written by core.audit.record() inside the same transaction as the change
    it describes, so a change and its record exist together or not at all.
    Never changed or deleted through the site (the admin shows it read-only).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="Kept when the account is removed.")
    action = models.CharField(max_length=60, db_index=True)
    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=64)
    subject_label = models.CharField(max_length=300)
    subject_url = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="Field → [before, after].")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "-at"], name="audit_subject")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or 'system'} {self.action} {self.subject_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are never deleted.")


class Submission(models.Model):
    """A create form submitted once: its key, and what it created and where that is (core.once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.UUIDField()
    url = models.CharField(max_length=500, blank=True)
    created_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="one_submission_per_token")]
        indexes = [models.Index(fields=["user", "created_at"], name="submission_user_age")]

    def __str__(self):
        return f"{self.token} → {self.url}"

    def still_there(self):
        """Whether what it created still exists: a finding removed and recorded again is new."""
        if self.created_type_id is None:
            return bool(self.url)
        model = self.created_type.model_class()
        return model is not None and model._default_manager.filter(pk=self.created_id).exists()


class Channel(models.TextChoices):
    """Where a person is told about an event. The inbox always shows it."""

    SITE = "site", "In Baton only"
    EMAIL = "email", "Email"
    SLACK = "slack", "Slack"
    DIGEST = "digest", "Daily digest email"


class Notification(models.Model):
    """One event told to one person: a row of their inbox, and, where they chose email, Slack or the
    daily digest, the claim of its sending (``sent_at`` commits with the send, core.delivery).

    ``key`` names the event; (recipient, key) is unique, so telling twice is harmless."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True, help_text="The text of its mail.")
    url = models.CharField(max_length=500, blank=True)
    topic = models.CharField(max_length=60, blank=True, help_text="What it is about, e.g. review:12 (for muting).")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SITE)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_event")]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="inbox_newest"),
            models.Index(
                fields=["recipient"],
                name="inbox_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            models.Index(
                fields=["channel", "created_at"],
                name="notification_unsent",
                condition=models.Q(sent_at__isnull=True) & ~models.Q(channel="site"),
            ),
        ]

    def __str__(self):
        return f"{self.recipient} · {self.title}"


class NotificationChoice(models.Model):
    """A person's channel for one kind of event (core.notifications.EVENTS); the default otherwise."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_choices")
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_choice_per_event_kind")]

    def __str__(self):
        return f"{self.user} · {self.kind} → {self.channel}"


class Mute(models.Model):
    """A person asked to hear no more about one thing (a review): its broadcast events skip them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes")
    topic = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="one_mute_per_topic")]

    def __str__(self):
        return f"{self.user} muted {self.topic}"


class ChannelPost(models.Model):
    """A message to a configured Slack channel (publications, recognitions), sent once: ``key`` is
    unique and ``sent_at`` commits with the post."""

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="channel_post_unsent", condition=models.Q(sent_at__isnull=True))
        ]

    def __str__(self):
        return f"#{self.channel} · {self.title}"


class TaskRun(models.Model):
    """A task that a worker started and has not finished: how many workers were lost running it.
    Finished runs leave no row; a task whose workers keep dying is parked here (core.runs)."""

    task_id = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    starts = models.PositiveIntegerField(default=0)
    first_started_at = models.DateTimeField(default=timezone.now)
    last_started_at = models.DateTimeField(default=timezone.now)
    parked_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-last_started_at"]
        indexes = [
            models.Index(fields=["parked_at"], name="taskrun_parked", condition=models.Q(parked_at__isnull=False))
        ]

    def __str__(self):
        return f"{self.name}[{self.task_id}]"
