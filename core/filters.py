"""The API's filter backends and the filters they share: a known query parameter
with a bad value is a 400 naming it, never a silently unfiltered list.

django-filter already refuses a malformed date or an unknown choice; these close
the gaps it leaves: ``?is_active=maybe`` (its boolean filter reads anything else as
"no filter"), ``?ordering=bogus`` (DRF drops unknown fields) and ``search`` or
``ordering`` documented on endpoints that do not search or order at all.
"""

from datetime import UTC

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django_filters import filters, rest_framework
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters as drf_filters

from core.ids import MAX_ID


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); blank is no filter; anything else is an error."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        value = (value or "").strip().lower()
        if not value:
            return None
        if value not in self.VALUES:
            raise ValidationError("Enter true or false.", code="invalid")
        return self.VALUES[value]

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A whole number in the range of a database id: anything else is a 400 with a field error."""

    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=MAX_ID, **kwargs)


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment, compared in UTC. PostgreSQL refuses some offsets that ISO allows on
    old dates (year 919 at -21:08): in UTC any moment compares; one that leaves the range a
    datetime holds (year 1 at +14:00) is a field error, not a server error."""

    def clean(self, value):
        moment = super().clean(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError("Enter a moment between years 1 and 9999 in UTC.", code="invalid") from None


class DateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class FilterSet(rest_framework.FilterSet):
    """The base of the FilterSets built from a view's ``filterset_fields``: strict booleans,
    moments inside the window."""

    FILTER_DEFAULTS = rest_framework.FilterSet.FILTER_DEFAULTS | {
        models.BooleanField: {"filter_class": BooleanFilter},
        models.DateTimeField: {"filter_class": DateTimeFilter},
    }


class DjangoFilterBackend(rest_framework.DjangoFilterBackend):
    filterset_base = FilterSet


class SearchFilter(drf_filters.SearchFilter):
    """DRF's search, documented only where the view searches (``search_fields``)."""

    def get_schema_operation_parameters(self, view):
        return super().get_schema_operation_parameters(view) if getattr(view, "search_fields", None) else []


class OrderingFilter(drf_filters.OrderingFilter):
    """Ordering by the view's ``ordering_fields`` only (a view without them has no
    ``ordering`` parameter); an unknown field is a 400 and the schema lists the valid ones."""

    def get_valid_fields(self, queryset, view, context=None):
        return [(name, name) for name in getattr(view, "ordering_fields", None) or ()]

    def get_ordering(self, request, queryset, view):
        value = request.query_params.get(self.ordering_param, "")
        if not value or not self.get_valid_fields(queryset, view):
            return self.get_default_ordering(view)
        terms = [term.strip() for term in value.split(",")]
        valid = self.remove_invalid_fields(queryset, terms, view, request)
        if len(valid) != len(terms):
            choices = ", ".join(self._choices(view))
            raise ValidationError({self.ordering_param: [f"Order by one or more of: {choices}."]})
        return valid

    def _choices(self, view):
        return [f"{sign}{name}" for name, _ in self.get_valid_fields(None, view) for sign in ("", "-")]

    def get_schema_operation_parameters(self, view):
        if not self.get_valid_fields(None, view):
            return []
        (parameter,) = super().get_schema_operation_parameters(view)
        parameter["description"] = "Order by this field (a leading - reverses it); separate several with commas."
        parameter["schema"] = {"type": "string", "enum": self._choices(view)}
        return [parameter]
