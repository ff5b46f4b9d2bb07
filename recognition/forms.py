from django import forms

from core.people import PersonChoiceField, people
from core.widgets import FastSelect
from recognition.models import Category
from teams.models import Team


class RecognitionForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="— a team —", widget=FastSelect
    )
    person = PersonChoiceField(queryset=people(), required=False, empty_label="— or a person —")
    category = forms.ChoiceField(choices=Category.choices, widget=forms.RadioSelect)
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}),
        help_text="What they did, and why it mattered. **Bold** and lists work.",
    )
    review = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["team"].queryset = Team.objects.exclude(memberships__user=user).order_by("name")
            self.fields["person"].queryset = people().exclude(pk=user.pk)


class HideForm(forms.Form):
    reason = forms.CharField(max_length=1000, label="Why hide it (the author is told)")
