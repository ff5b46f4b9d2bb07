"""The review list's filters and search: one FilterSet for the page and the API."""

import django_filters
from django.db.models import Q

from config.widgets import FastSelect
from reviews.models import Finding, Incident, Review, ReviewState, Severity
from teams.models import Team


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
        fields = ["q", "state", "severity", "team", "pattern", "escalated_after", "escalated_before", "exercise"]

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
        value = value.strip()
        if not value:
            return queryset
        # One subquery per table, so each can use its trigram index on PostgreSQL
        # (migration 0008); an OR across joined tables would scan every review.
        incidents = Incident.objects.filter(
            Q(title__icontains=value) | Q(summary__icontains=value) | Q(customer__icontains=value)
        ).values("pk")
        narratives = Review.objects.filter(narrative__icontains=value).values("pk")
        findings = Finding.objects.filter(text__icontains=value).values("review_id")
        return queryset.filter(Q(incident_id__in=incidents) | Q(pk__in=narratives) | Q(pk__in=findings))
