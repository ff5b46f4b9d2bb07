"""The recognitions API's filters: the board's team, category and quarter."""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field

from recognition.models import Category, Recognition
from recognition.selectors import quarter_bounds
from teams.models import Team

QUARTER = r"(20[0-9]{2}|2100)-Q[1-4]"


class QuarterField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(strip=False, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value and not re.fullmatch(QUARTER, value):
            raise ValidationError("Enter a quarter from 2000-Q1 to 2100-Q4, such as 2026-Q4.", code="invalid")
        return value


@extend_schema_field({"type": "string", "pattern": f"^{QUARTER}$", "example": "2026-Q4"})
class QuarterFilter(django_filters.CharFilter):
    field_class = QuarterField

    def filter(self, qs, value):
        if not value:
            return qs
        start, end = quarter_bounds(value)
        return qs.filter(created_at__date__gte=start, created_at__date__lt=end)


class RecognitionFilter(django_filters.FilterSet):
    team = django_filters.ModelChoiceFilter(field_name="team", queryset=Team.objects.all(), to_field_name="slug")
    category = django_filters.ChoiceFilter(choices=Category.choices)
    quarter = QuarterFilter(help_text="Given in this quarter, such as 2026-Q4.")

    class Meta:
        model = Recognition
        fields = ["team", "category", "quarter"]
