import json

from django import forms

from integrations import outbound
from integrations.models import Source
from teams.models import Team


class TeamMapField(forms.CharField):
    """One mapping per line: the tool's group, service or project (id or name) = a Baton team slug."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "36010002233 = payments\nPSVC7K2 = checkout"})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{key} = {slug}" for key, slug in value.items())
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, dict):
            return value
        mapping = {}
        for number, line in enumerate((value or "").splitlines(), 1):
            if not line.strip():
                continue
            key, sep, slug = line.partition("=")
            if not sep or not key.strip() or not slug.strip():
                raise forms.ValidationError(f"Line {number}: write it as “the tool's id = team-slug”.")
            mapping[key.strip()] = slug.strip()
        return mapping


class SourceForm(forms.ModelForm):
    team_map = TeamMapField(
        label="Team mapping",
        required=False,
        help_text="One per line: the tool's group, service or project id = a Baton team slug. "
        "Records of anything not listed go to the team above.",
    )
    secret = forms.CharField(
        label="Signing secret",
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Zendesk, PagerDuty and Slack make the secret: paste it from the tool. "
        "For Jira and any other tool, leave it empty and Baton makes one.",
    )
    api_token = forms.CharField(
        label="API token",
        required=False,
        max_length=300,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="A read-only token Baton uses to look up people's emails and the customer's name "
        "(PagerDuty, Slack, Zendesk). Left empty when editing, the current one is kept.",
    )

    class Meta:
        model = Source
        fields = ["kind", "name", "team", "team_map", "rule_tags", "rule_priorities", "base_url", "api_url"]
        widgets = {"rule_tags": forms.TextInput(attrs={"placeholder": "escalated"})}

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["team"].empty_label = "— no team unless mapped below —"
        if editing:
            del self.fields["kind"]
            del self.fields["secret"]
            self.fields["enabled"] = forms.BooleanField(
                required=False, initial=self.instance.enabled, help_text="A disabled source's address answers 404."
            )

    def clean_team_map(self):
        return self.cleaned_data.get("team_map") or {}


class RotateForm(forms.Form):
    secret = forms.CharField(
        label="New signing secret",
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="From the tool, when it makes the secret; empty, Baton makes one.",
    )
    overlap_hours = forms.IntegerField(
        label="Keep the old secret working for (hours)",
        min_value=0,
        max_value=720,
        initial=24,
        help_text="Time to put the new secret into the tool: both verify meanwhile.",
    )


class LinkForm(forms.Form):
    source = forms.ModelChoiceField(label="Tool", queryset=Source.objects.none(), empty_label=None)
    external_id = forms.CharField(
        label="Record in the tool",
        max_length=200,
        help_text="The ticket number, the PagerDuty incident id, the Jira key or the Slack channel id.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.filter(enabled=True).order_by("name")


def pretty(body):
    """A delivery's body, indented when it is JSON."""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)[:200_000]
    except (ValueError, RecursionError):
        return body[:200_000]


def _event_choices():
    families = [(family, f"Every {family[:-2].replace('_', ' ')} event") for family in outbound.FAMILIES]
    return families + [(event, event) for event in outbound.EVENT_TYPES]


class SubscriptionForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What follows Baton here, e.g. “BI warehouse”.")
    url = forms.URLField(label="Address", max_length=500, assume_scheme="https", help_text="Baton POSTs JSON here.")
    events = forms.MultipleChoiceField(
        choices=_event_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )
    active = forms.BooleanField(label="Sending", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["active"]
            del self.fields["version"]
