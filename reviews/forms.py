from django import forms
from django.contrib.auth import get_user_model

from core.forms import DateInput, DateTimeLocalInput, KeepStoredSeconds
from core.people import PersonChoiceField, people
from core.widgets import FastSelect
from reviews.models import (
    MAX_TEXT,
    ActionItem,
    ActionState,
    Dimension,
    Incident,
    RoleAssignment,
    TimelineEntry,
)
from teams.models import Team

User = get_user_model()

MILESTONE_FIELDS = ["escalated_at", "acknowledged_at", "first_customer_update_at", "resolved_at"]


class IncidentForm(KeepStoredSeconds, forms.ModelForm):
    """The incident's facts, plus the review's narrative and exercise flag."""

    is_exercise = forms.BooleanField(
        label="This was an exercise (drill or tabletop)",
        required=False,
        help_text="Scored the same, labelled everywhere and kept apart in metrics.",
    )
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "data-language-check": "narrative"}),
        required=False,
        max_length=MAX_TEXT,
        help_text="What happened, from the system's point of view: decisions and their context, not people's faults.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    review_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Incident
        fields = [
            "title",
            "customer",
            "severity",
            "team",
            *MILESTONE_FIELDS,
            "playbook_section",
            "pattern_name",
            "summary",
            "customer_summary",
            "satisfaction",
        ]
        widgets = {field: DateTimeLocalInput() for field in MILESTONE_FIELDS} | {
            "summary": forms.Textarea(attrs={"rows": 3, "data-language-check": "summary"}),
            "satisfaction": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["team"].empty_label = "— choose the owning team —"
        sections = Incident._meta.get_field("playbook_section").related_model.objects
        self.fields["playbook_section"].queryset = (
            sections.filter(is_active=True, current__isnull=False).select_related("current").order_by("slug")
        )
        self.fields["playbook_section"].empty_label = "— no playbook section matched —"
        self.fields["pattern_name"].help_text = "Free text when no playbook section fits."


class RoleAssignmentForm(forms.ModelForm):
    person = PersonChoiceField(queryset=people())

    class Meta:
        model = RoleAssignment
        fields = ["role", "person", "started_at", "ended_at", "handover_note"]
        widgets = {
            "started_at": DateTimeLocalInput(),
            "ended_at": DateTimeLocalInput(),
            "handover_note": forms.Textarea(attrs={"rows": 2, "data-language-check": "handover"}),
        }
        help_texts = {
            "ended_at": "Leave empty while they hold it; a new holder ends the previous one automatically.",
        }


class RoleCorrectionForm(KeepStoredSeconds, forms.ModelForm):
    """Correct a recorded assignment: the role itself stays (remove it and record the right one)."""

    person = PersonChoiceField(queryset=people())

    class Meta:
        model = RoleAssignment
        fields = ["person", "started_at", "ended_at", "handover_note"]
        widgets = RoleAssignmentForm.Meta.widgets
        help_texts = {"ended_at": "Leave empty while they hold it."}


class RoleEndForm(forms.Form):
    ended_at = forms.DateTimeField(label="Gave the role up at", widget=DateTimeLocalInput())


class TimelineEntryForm(forms.ModelForm):
    class Meta:
        model = TimelineEntry
        fields = ["at", "kind", "who", "what"]
        widgets = {"at": DateTimeLocalInput(), "what": forms.Textarea(attrs={"rows": 2, "data-language-check": "note"})}
        labels = {"at": "When", "what": "What happened"}


class TimelineEntryCorrectionForm(KeepStoredSeconds, TimelineEntryForm):
    """Correct a typed or imported entry; ``version`` is the one the facilitator read."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta(TimelineEntryForm.Meta):
        pass


class InviteForm(forms.Form):
    user = PersonChoiceField(queryset=people(), label="Invite a participant", empty_label="— choose a person —")

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        if review is not None:
            self.fields["user"].queryset = people().exclude(participations__review=review)


class ScoreForm(forms.Form):
    """The six rubric dimensions, 1–5 each, with evidence."""

    def __init__(self, *args, initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_scores = initial_scores or {}
        for dimension in Dimension:
            existing = initial_scores.get(dimension.value)
            self.fields[f"score_{dimension.value}"] = forms.TypedChoiceField(
                label=f"{dimension.value}. {dimension.label}",
                choices=[(i, str(i)) for i in range(1, 6)],
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                initial=existing.score if existing else None,
            )
            self.fields[f"evidence_{dimension.value}"] = forms.CharField(
                label="Evidence",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "data-language-check": "evidence"}),
                initial=existing.evidence if existing else "",
            )

    def rows(self):
        return [(d, self[f"score_{d.value}"], self[f"evidence_{d.value}"]) for d in Dimension]

    def scores(self):
        return {
            d.value: (self.cleaned_data.get(f"score_{d.value}"), self.cleaned_data.get(f"evidence_{d.value}", ""))
            for d in Dimension
        }


class FindingForm(forms.Form):
    text = forms.CharField(
        label="New finding",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2, "data-language-check": "finding"}),
    )


class FindingCorrectionForm(forms.Form):
    """Reword a finding; ``version`` is the one the facilitator read."""

    text = forms.CharField(
        label="Finding", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3, "data-language-check": "finding"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ActionItemForm(forms.ModelForm):
    owner = PersonChoiceField(queryset=people())

    class Meta:
        model = ActionItem
        fields = ["title", "owner", "due_on", "kind", "finding"]
        widgets = {"due_on": DateInput()}

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = review.findings.all() if review else self.fields["finding"].queryset.none()
        self.fields["finding"].empty_label = "— not tied to a finding —"


class ActionItemCorrectionForm(ActionItemForm):
    """Change an action item; ``version`` is the one the facilitator read."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta(ActionItemForm.Meta):
        labels = {"title": "Action", "due_on": "Due"}


class ActionStateForm(forms.Form):
    state = forms.ChoiceField(choices=ActionState.choices, widget=FastSelect)
    dropped_reason = forms.CharField(required=False, label="Reason (when dropping)")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AmendForm(forms.Form):
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10, "data-language-check": "narrative"}), max_length=MAX_TEXT
    )
    reason = forms.CharField(label="Why amend", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DismissForm(forms.Form):
    phrase = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Why this wording is fine here", max_length=500)
