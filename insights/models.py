"""The quarter's prepared snapshot and the links that share one customer's report."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Snapshot(models.Model):
    """The quarter's performance snapshot, prepared when the quarter closes."""

    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    figures = models.JSONField(help_text="The internal report's figures as prepared.")
    prepared_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "reviews_snapshot"  # made by the reviews app before Insights became its own
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["year", "quarter"], name="one_snapshot_per_quarter")]

    def __str__(self):
        return f"Snapshot {self.year} Q{self.quarter}"


class ShareLink(models.Model):
    """An unguessable, revocable, expiring link to one customer's snapshot."""

    token = models.CharField(max_length=64, unique=True)
    customer = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "reviews_sharelink"  # made by the reviews app before Insights became its own
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.customer} {self.year} Q{self.quarter}"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()
