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
