"""The review list's filters and search (one FilterSet for the page and the API),
and the action items' filters."""

import django_filters
from django.utils import timezone

from core.filters import BooleanFilter, IdFilter
from core.widgets import FastSelect
from reviews import search
from reviews.metrics import WEAK_MEDIAN
from reviews.models import ActionItem, Dimension, DimensionResult, Incident, Review, ReviewState, Severity
from reviews.policy import PUBLIC_STATES
from teams.models import Team

# The playbook builds on reviews: its sections are reached through the incident's relation.
SECTIONS = Incident._meta.get_field("playbook_section").related_model.objects


class ReviewFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    state = django_filters.ChoiceFilter(choices=ReviewState.choices, empty_label="Any state", widget=FastSelect)
    severity = django_filters.ChoiceFilter(
        field_name="incident__severity", choices=Severity.choices, empty_label="Any severity", widget=FastSelect
    )
    team = django_filters.ModelChoiceFilter(
        field_name="incident__team",
        queryset=Team.objects.order_by("name"),
        to_field_name="slug",
        empty_label="Any team",
        widget=FastSelect,
    )
    pattern = django_filters.CharFilter(field_name="incident__pattern_name", lookup_expr="icontains", label="Pattern")
    section = django_filters.ModelChoiceFilter(
        field_name="incident__playbook_section",
        # The label is the current version's pattern: only that, not every version's text.
        queryset=SECTIONS.select_related("current").only("slug", "current__pattern").order_by("slug"),
        to_field_name="slug",
        null_value="none",
        null_label="No playbook section",
        empty_label="Any section",
        label="Playbook section",
        help_text="A playbook section's slug, or none for incidents without one.",
        widget=FastSelect,
    )
    weak_dimension = django_filters.ChoiceFilter(
        method="filter_weak_dimension",
        choices=[(str(value), f"{value}. {label}") for value, label in Dimension.choices],
        empty_label="Any",
        label="Weak rubric dimension",
        help_text=f"Published reviews whose consolidated median on this dimension is below {WEAK_MEDIAN}.",
        widget=FastSelect,
    )
    escalated_after = django_filters.DateFilter(
        field_name="incident__escalated_at", lookup_expr="date__gte", label="From"
    )
    escalated_before = django_filters.DateFilter(
        field_name="incident__escalated_at", lookup_expr="date__lte", label="To"
    )
    archived = django_filters.ChoiceFilter(
        method="filter_archived",
        choices=[("yes", "Archived only")],
        empty_label="Not archived",
        label="Archived",
        widget=FastSelect,
    )
    exercise = django_filters.ChoiceFilter(
        method="filter_exercise",
        choices=[("no", "Real escalations only"), ("yes", "Exercises only")],
        empty_label="All",
        label="Exercises",
        widget=FastSelect,
    )

    class Meta:
        model = Review
        fields = [
            "q",
            "state",
            "severity",
            "team",
            "pattern",
            "section",
            "weak_dimension",
            "escalated_after",
            "escalated_before",
            "exercise",
        ]

    def filter_weak_dimension(self, queryset, name, value):
        weak = DimensionResult.objects.filter(dimension=int(value), median__lt=WEAK_MEDIAN).values("review_id")
        return queryset.filter(state__in=PUBLIC_STATES, pk__in=weak)

    def filter_exercise(self, queryset, name, value):
        return queryset.filter(is_exercise=value == "yes")

    @property
    def qs(self):
        queryset = super().qs
        if not self.is_bound:  # no parameters at all: filter_queryset() does not run
            queryset = queryset.filter(archived_at__isnull=True)
        return queryset

    def filter_queryset(self, queryset):
        # Archived reviews leave the list unless asked for.
        if self.form.cleaned_data.get("archived") != "yes":
            queryset = queryset.filter(archived_at__isnull=True)
        return super().filter_queryset(queryset)

    def filter_archived(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=False) if value == "yes" else queryset

    def search(self, queryset, name, value):
        return search.reviews_matching(queryset, value)


class ActionItemFilter(django_filters.FilterSet):
    review = IdFilter(field_name="review_id")
    owner = IdFilter(field_name="owner_id")
    overdue = BooleanFilter(method="filter_overdue", help_text="true: open and past due only.")

    class Meta:
        model = ActionItem
        fields = ["review", "owner", "state", "kind", "overdue"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value else queryset
