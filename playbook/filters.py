"""The playbook API's filters."""

from core.filters import BooleanFilter, FilterSet
from playbook.models import ReviewTask


class TaskFilter(FilterSet):
    mine = BooleanFilter(method="filter_mine", help_text="true: only the tasks assigned to you.")

    class Meta:
        model = ReviewTask
        fields = ["state", "cycle", "assignee", "mine"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assignee=self.request.user) if value else queryset
