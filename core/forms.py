"""Form helpers shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's own date-time picker (keyboard-accessible), in the user's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def add_service_errors(form, error: ValidationError):
    """Show a service's ValidationError on the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                for message in e.messages:
                    form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class KeepStoredSeconds:
    """A ModelForm mixin: the browser's date-time picker shows minutes, so a moment submitted
    unchanged keeps the seconds it was stored with (an imported 09:00:00.418 stays so, rather
    than becoming 09:00 and reading as a hand edit)."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if not isinstance(field.widget, DateTimeLocalInput) or self.instance.pk is None:
                continue
            stored, submitted = getattr(self.instance, name, None), cleaned.get(name)
            if stored and submitted and submitted == stored.replace(second=0, microsecond=0):
                cleaned[name] = stored
        return cleaned
