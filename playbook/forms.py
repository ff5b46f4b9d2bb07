from django import forms

from core.forms import DateInput
from core.people import PersonChoiceField, people
from core.widgets import FastSelect
from playbook import ownership, policy
from playbook.models import Revision, SectionContent
from reviews.models import OwnershipRole
from teams.models import Team

TEXT_ROWS = {"recognise": 3, "acceptable_risks": 3, "fallback_options": 3, "contingency_contacts": 3}


class RevisionForm(forms.ModelForm):
    """A full proposed version of a section; the ownership map is one team
    (and optionally a person) per role."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Revision
        fields = [
            *(f for f in SectionContent.CONTENT_FIELDS if f != "ownership_map"),
            "rationale",
            "new_slug",
            "new_owner",
        ]
        widgets = {
            field: forms.Textarea(attrs={"rows": TEXT_ROWS.get(field, 2)})
            for field in (*SectionContent.MARKDOWN_FIELDS, "change_authority")
        } | {"rationale": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, new_section=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_section = new_section
        if not new_section:
            del self.fields["new_slug"]
            del self.fields["new_owner"]
        else:
            self.fields["new_slug"].required = True
            self.fields["new_owner"] = PersonChoiceField(
                queryset=people(), label="Section owner", help_text="Responsible for its quarterly review."
            )
        mapping = (self.initial or {}).get("ownership_map") or getattr(self.instance, "ownership_map", None)
        entries = ownership.entries(mapping, OwnershipRole.values)  # a malformed saved map reads as empty roles
        teams = Team.objects.order_by("name")
        for role in OwnershipRole:
            team, person = entries[role.value]
            self.fields[f"team_{role.value}"] = forms.ModelChoiceField(
                queryset=teams,
                required=False,
                label=f"{role.label}: team",
                initial=team,
                empty_label="— no team —",
                widget=FastSelect,
            )
            self.fields[f"person_{role.value}"] = PersonChoiceField(
                queryset=people(),
                required=False,
                label=f"{role.label}: person (optional)",
                initial=person,
                empty_label="— anyone on the team —",
            )

    def ownership_rows(self):
        return [(role, self[f"team_{role.value}"], self[f"person_{role.value}"]) for role in OwnershipRole]

    def content(self):
        data = self.cleaned_data
        content = {f: data.get(f) for f in SectionContent.CONTENT_FIELDS if f != "ownership_map" and f in data}
        mapping = {}
        for role in OwnershipRole:
            team, person = data.get(f"team_{role.value}"), data.get(f"person_{role.value}")
            if team or person:
                mapping[role.value] = {"team": team.pk if team else None, "person": person.pk if person else None}
        content["ownership_map"] = mapping
        for field in SectionContent.MARKDOWN_FIELDS:
            content[field] = content.get(field) or ""
        content["change_authority"] = content.get("change_authority") or ""
        return content


class DecisionForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Comment to the author")
    attest_regulatory = forms.BooleanField(
        required=False, label="I attest this change fits our regulatory requirements"
    )
    attest_blameless = forms.BooleanField(required=False, label="I attest this change follows the blameless principle")


MAX_NOTE = 2000


class TaskActionForm(forms.Form):
    """What every action on a quarterly task sends: the version of the task it was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TaskCompleteForm(TaskActionForm):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What you checked",
        help_text="e.g. “Re-read against the three Q3 escalations; timelines and contacts still right.”",
    )

    def __init__(self, *args, owner=None, **kwargs):
        """``owner``: the assignee's name when someone else completes the task for them."""
        super().__init__(*args, **kwargs)
        if owner:
            self.fields["note"].label = "What was checked, and why you close it for them"
            self.fields["note"].help_text = f"Kept with the task and in the audit trail, marked as done for {owner}."


class TaskReassignForm(TaskActionForm):
    assignee = PersonChoiceField(
        queryset=None,
        label="New owner",
        empty_label="— choose a person —",
        error_messages={"required": "Choose who takes this review over."},
    )
    note = forms.CharField(required=False, max_length=MAX_NOTE, label="Why", help_text="Kept in the audit trail.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = policy.task_owners().order_by("first_name", "last_name", "username")


class TaskExtendForm(TaskActionForm):
    due_on = forms.DateField(
        label="New due date", widget=DateInput, error_messages={"required": "Choose the new due date."}
    )
    note = forms.CharField(required=False, max_length=MAX_NOTE, label="Why", help_text="Kept in the audit trail.")

    def __init__(self, *args, window=None, **kwargs):
        """``window``: the (earliest, latest) days the date may move to, offered by the date picker."""
        super().__init__(*args, **kwargs)
        if window:
            self.fields["due_on"].widget.attrs |= {"min": window[0].isoformat(), "max": window[1].isoformat()}
