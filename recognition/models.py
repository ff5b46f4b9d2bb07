"""Peer recognition of teams (or people) that modelled good ownership."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.models import SentNotice


class Category(models.TextChoices):
    CLEAR_OWNERSHIP = "clear_ownership", "Clear ownership"
    PROACTIVE_COMMUNICATION = "proactive_communication", "Proactive communication"
    CLEAN_HANDOVER = "clean_handover", "Clean handover"
    CONSTRUCTIVE_CONFLICT = "constructive_conflict", "Constructive conflict resolution"
    LEARNING_SHARED = "learning_shared", "Learning shared"


class RecognitionQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(hidden_at__isnull=True)


class Recognition(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recognitions_given")
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="recognitions")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="recognitions_received"
    )
    category = models.CharField(max_length=30, choices=Category.choices)
    message = models.TextField(help_text="What they did, and why it mattered. Light Markdown.")
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.SET_NULL, null=True, blank=True, related_name="recognitions"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.TextField(blank=True)

    objects = RecognitionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["hidden_at", "created_at"]), models.Index(fields=["team", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(team__isnull=False) & models.Q(person__isnull=True))
                | (models.Q(team__isnull=True) & models.Q(person__isnull=False)),
                name="recognises_a_team_or_a_person",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} for {self.recipient_name}"

    def get_absolute_url(self):
        return reverse("recognition:index") + f"#recognition-{self.pk}"

    @property
    def second_count(self):
        """Counted from the prefetched seconds (a COUNT over the whole board would
        have to group every recognition before the page is cut)."""
        return len(self.seconds.all())

    @property
    def recipient_name(self):
        if self.team_id:
            return self.team.name
        return self.person.get_full_name() or self.person.get_username()


class Second(models.Model):
    recognition = models.ForeignKey(Recognition, on_delete=models.CASCADE, related_name="seconds")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["recognition", "user"], name="one_second_per_person")]

    def __str__(self):
        return f"{self.user} seconds {self.recognition}"


class NoticeKind(models.TextChoices):
    RECOGNISED = "recognised", "You were recognised"
    HIDDEN = "hidden", "Your recognition was hidden"


class RecognitionNotice(SentNotice):
    """A mail that was sent about a recognition: never sent twice."""

    recognition = models.ForeignKey(Recognition, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recognition", "kind", "recipient"], name="one_recognition_notice")
        ]

    def __str__(self):
        return f"{self.kind} to {self.recipient}"
