"""The audit trail page: governance owners and admins read who changed what."""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.audit import can_view, redact_for
from core.models import AuditEvent
from core.paging import CappedPaginator

SUBJECT_TYPES = [
    ("review", "Reviews"),
    ("incident", "Incidents"),
    ("roleassignment", "Ownership roles"),
    ("timelineentry", "Timeline entries"),
    ("finding", "Findings"),
    ("actionitem", "Action items"),
    ("revision", "Playbook revisions"),
    ("sectionversion", "Playbook versions"),
    ("reviewtask", "Quarterly review tasks"),
    ("recognition", "Recognitions"),
    ("sharelink", "Customer share links"),
    ("user", "People's roles"),
]


class AuditFilter(django_filters.FilterSet):
    subject_type = django_filters.ChoiceFilter(label="About", choices=SUBJECT_TYPES, empty_label="Anything")
    subject_id = django_filters.CharFilter(label="Item id", widget=forms.HiddenInput)
    action = django_filters.CharFilter(label="Action", lookup_expr="icontains")
    actor = django_filters.CharFilter(label="Person", field_name="actor_name", lookup_expr="icontains")
    after = django_filters.DateFilter(label="From", field_name="at", lookup_expr="date__gte")
    before = django_filters.DateFilter(label="To", field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields = []


@require_safe
def audit_log(request):
    if not can_view(request.user):
        raise PermissionDenied("Only governance owners and admins read the audit trail.")
    data = request.GET.copy()
    data.pop("page", None)
    audit_filter = AuditFilter(data, queryset=AuditEvent.objects.all())
    events = audit_filter.qs if audit_filter.is_valid() else AuditEvent.objects.none()
    page = CappedPaginator(events, 50).get_page(request.GET.get("page"))
    page.object_list = redact_for(request.user, page.object_list)
    return render(
        request,
        "audit.html",
        {"filter": audit_filter, "page": page, "query": data.urlencode(), "filtered": any(data.values())},
    )
