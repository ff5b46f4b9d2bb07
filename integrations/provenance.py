"""The review page's provenance from integrations: which tool each imported fact came from."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from integrations import policy, trackers
from integrations.events import MILESTONES
from integrations.forms import LinkForm
from integrations.models import Fact, Record, TrackerLink
from reviews import policy as review_policy
from reviews.models import ActionState
from reviews.provenance import Elsewhere, Origin, Provenance


def _origin(fact, manager):
    delivery = fact.delivery
    record = delivery.record
    return Origin(
        source=delivery.source.name,
        event=(delivery.event_type or "event").removeprefix("zen:event-type:"),
        url=record.url if record else "",
        delivery_url=delivery.get_absolute_url() if manager else "",
    )


def _shown(fact):
    if fact.field in ("satisfaction",):
        return fact.shown or fact.value
    if fact.field.startswith("role:"):
        return fact.shown
    if fact.field == "reopened":
        return "reopened"
    return f"{timezone.localtime(fact.at):%d %b %H:%M}"


def _still_holds(fact, incident):
    """Whether what Baton wrote from ``fact`` is still what the incident says."""
    if fact.entry_id:
        return fact.entry.what == fact.value
    if fact.assignment_id:
        return fact.written == f"{fact.assignment.person_id}|{fact.assignment.started_at.isoformat()}"
    if fact.field == "satisfaction":
        return str(incident.satisfaction) == fact.value
    if fact.field == "reopened":
        return incident.resolved_at is None
    if fact.field in MILESTONES:
        return getattr(incident, fact.field) == fact.at
    return False


def for_incident(request, review):
    """Two queries: the incident's facts (with their deliveries and sources) and its records."""
    incident = review.incident
    manager = policy.can_manage(request.user)
    provenance = Provenance()
    facts = Fact.objects.filter(incident=incident).select_related(
        "delivery__source", "delivery__record", "entry", "assignment"
    )
    for fact in facts.order_by("at", "id"):
        if fact.applied and not _still_holds(fact, incident):
            continue  # changed by hand since: the facilitator's value, not the tool's
        if fact.applied and fact.entry_id:
            provenance.entries[fact.entry_id] = _origin(fact, manager)
        elif fact.applied and fact.assignment_id:
            provenance.assignments[fact.assignment_id] = _origin(fact, manager)
        elif fact.applied and fact.field != "entry":
            provenance.milestones["resolved_at" if fact.field == "reopened" else fact.field] = _origin(fact, manager)
        elif fact.note:
            key = "resolved_at" if fact.field == "reopened" else fact.field
            provenance.reported.setdefault(key, []).append((_origin(fact, manager), _shown(fact), fact.note))
    records = list(
        Record.objects.filter(incident=incident).select_related("source", "linked_by").order_by("source__name", "id")
    )
    # With no tool connected, the page says nothing of tools (no empty section on every review).
    link_form = LinkForm() if manager and not review.is_archived else None
    if link_form is not None and not link_form.fields["source"].queryset.exists():
        link_form = None
    _tracker_links(request, review, provenance)
    if records or link_form is not None:
        context = {"records": records, "review": review, "link_form": link_form}
        provenance.panels.append(render_to_string("integrations/review_panel.html", context, request=request))
    return provenance


def _tracker_links(request, review, provenance):
    """The action items' issues in the tracker (one query), and whether this person may send more."""
    tracker = trackers.current()
    links = TrackerLink.objects.filter(action_item__review=review).only(
        "action_item_id", "tracker", "key", "url", "last_error"
    )
    for link in links:
        name = trackers.TRACKERS[link.tracker].NAME if link.tracker in trackers.TRACKERS else link.tracker
        provenance.actions[link.action_item_id] = Elsewhere(name, link.key, link.url, link.last_error)
    if tracker is not None and review_policy.can_manage(request.user, review) and not review.is_archived:
        provenance.send_to = tracker.NAME
        open_items = review.action_items.filter(state=ActionState.OPEN).exclude(pk__in=provenance.actions)
        for item_id in open_items.values_list("pk", flat=True):
            provenance.sendable[item_id] = reverse("integrations:send-to-tracker", args=[item_id])
