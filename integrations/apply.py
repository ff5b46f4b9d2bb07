"""Applying a stored delivery to Baton, through the review services, exactly once.

A delivery is applied inside one transaction that holds its record's row (one delivery per
record at a time) and its own row; the status it ends in commits with its effects. A worker
killed half-way leaves it waiting, and the reconcile task applies it then.

How a report settles is derived from every fact stored for the field, not from the order the
deliveries arrived in: the earliest acknowledgement wins, the latest resolution unless the
record was reopened after it, a role's history is the facts in time order. A value a
facilitator set by hand wins: later reports are kept and shown beside it, not applied.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, error_text
from integrations import parsers, people
from integrations.events import MILESTONES, Unparseable
from integrations.models import Delivery, DeliveryStatus, Fact, Record, Source
from reviews import policy as review_policy
from reviews import services as review_services
from reviews.models import EntryKind, Incident, OwnershipRole, Severity, TimelineEntry

logger = logging.getLogger(__name__)

REFUSED = (ValidationError, PermissionDenied, Conflict)
#: Why a delivery about a record Baton does not follow (yet) waits: applied once the record
#: becomes an escalation or is linked to one.
NOT_TRACKED = "Not an escalation by this source's rule (yet)."


def delivery_apply(delivery_id, source=None):
    """Apply one delivery if it is still waiting; returns its status. ``source``: the delivery's
    source, when the caller has it already (the import applies thousands from one)."""
    deliveries = Delivery.objects if source is not None else Delivery.objects.select_related("source__actor")
    delivery = deliveries.get(pk=delivery_id)
    if source is not None:
        delivery.source = source
    if delivery.status != DeliveryStatus.RECEIVED:
        return delivery.status
    try:
        event = parsers.parse(delivery)
    except Unparseable as error:
        return _finish_alone(delivery, DeliveryStatus.FAILED, str(error))
    if event is None:
        return _finish_alone(delivery, DeliveryStatus.IGNORED, "Not an event Baton records.")
    try:
        record = _record(delivery.source, event.record)
        people.look_up(delivery.source, event)  # the tools' APIs are asked before any lock is held
        with transaction.atomic():
            record = Record.objects.select_for_update().get(pk=record.pk)
            status = Delivery.objects.select_for_update().filter(pk=delivery_id).values_list("status", flat=True)
            if status[0] != DeliveryStatus.RECEIVED:
                return status[0]
            if record.incident_id is not None:
                # Several records (a ticket, the paged incident, a channel) feed one incident, and
                # facilitators edit it: one writer at a time, each reading what the last one left.
                record.incident = Incident.objects.select_for_update().get(pk=record.incident_id)
            status, reason = _apply(delivery, record, event)
            _finish(delivery, status, reason, record)
            return status
    except REFUSED as error:  # the escalation it would open is impossible (a moment in the future, say)
        reason = error_text(error) if isinstance(error, ValidationError) else str(error)
        return _finish_alone(delivery, DeliveryStatus.FAILED, f"Not applied: {reason}")
    except (DataError, IntegrityError) as error:  # a value the database refuses: this delivery's fault
        logger.warning("Delivery %s holds a value the database refuses: %s", delivery_id, error)
        return _finish_alone(delivery, DeliveryStatus.FAILED, f"The database refused a value in it ({error}).")
    except DatabaseError:
        raise  # the database is unwell: the delivery stays waiting for the next run
    except Exception as error:  # a fault in Baton, not in the delivery: recorded, retried after a fix
        logger.exception("Applying delivery %s failed.", delivery_id)
        return _finish_alone(delivery, DeliveryStatus.FAILED, f"Baton could not apply it ({type(error).__name__}).")


def _record(source, external_id):
    found = Record.objects.filter(source=source, external_id=external_id[:200]).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Record.objects.get_or_create(source=source, external_id=external_id[:200])[0]
    except IntegrityError:  # created by a concurrent delivery about the same record
        return Record.objects.get(source=source, external_id=external_id[:200])


def _finish(delivery, status, reason, record=None):
    delivery.status = status
    delivery.reason = reason[:5000]
    delivery.record = record or delivery.record
    delivery.attempts += 1
    delivery.applied_at = timezone.now()
    delivery.save(update_fields=["status", "reason", "record", "attempts", "applied_at"])


def _finish_alone(delivery, status, reason):
    with transaction.atomic():
        changed = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.RECEIVED).update(
            status=status, reason=reason[:5000], applied_at=timezone.now()
        )
    return status if changed else Delivery.objects.get(pk=delivery.pk).status


def _apply(delivery, record, event):
    source = delivery.source
    if event.url.startswith(("https://", "http://")) and not record.url:
        record.url = event.url[:500]
        record.save(update_fields=["url"])
    if event.title and not record.title:
        record.title = event.title[:300]
        record.save(update_fields=["title"])
    if event.requested_by is not None:  # a person typed a command in the tool: they act, as themselves
        refusal = _refuse_requester(source, event)
        if refusal:
            return DeliveryStatus.IGNORED, refusal
    if event.link_incident is not None and record.incident_id not in (None, event.link_incident):
        return DeliveryStatus.IGNORED, f"This already feeds incident {record.incident_id}."
    if record.incident_id is None and event.link_incident is not None:
        incident = Incident.objects.filter(pk=event.link_incident).first()
        if incident is None:
            return DeliveryStatus.IGNORED, f"There is no incident {event.link_incident} in Baton."
        record.incident = incident
        record.save(update_fields=["incident"])
        replay_ignored(record, exclude=delivery.pk)
        return DeliveryStatus.APPLIED, _facts(source, incident, event, delivery)
    if record.incident_id is None:
        if not event.escalation:
            return DeliveryStatus.IGNORED, NOT_TRACKED
        record.incident = _open_incident(source, record, event, delivery)
        record.save(update_fields=["incident"])
        replay_ignored(record, exclude=delivery.pk)
    return DeliveryStatus.APPLIED, _facts(source, record.incident, event, delivery)


def _refuse_requester(source, event):
    """Why the person who typed a command may not do it, or "" (a command acts only for a person
    Baton knows; linking a channel to an escalation is a facilitator's)."""
    user = people.match(source, event.requested_by)
    if user is None:
        return "Baton does not know you: no active account has your email."
    if event.link_incident is not None and not review_policy.can_manage(user):
        return "Only a Baton facilitator links a channel to an escalation."
    return ""


def replay_ignored(record, exclude=None):
    """Apply the deliveries about ``record`` that arrived before it fed an incident, in arrival order."""
    earlier = record.deliveries.filter(status=DeliveryStatus.IGNORED, reason=NOT_TRACKED).exclude(pk=exclude)
    for earlier_delivery in earlier.select_related("source__actor").order_by("received_at", "id"):
        try:
            event = parsers.parse(earlier_delivery)
            if event is None:
                continue
            with transaction.atomic():  # one that cannot be applied fails alone, not the escalation
                notes = _facts(record.source, record.incident, event, earlier_delivery)
                _finish(earlier_delivery, DeliveryStatus.APPLIED, notes)
        except (Unparseable, *REFUSED, DataError, IntegrityError) as error:
            _finish(earlier_delivery, DeliveryStatus.FAILED, f"Not applied: {error}")


def _open_incident(source, record, event, delivery):
    escalated_at = event.milestones.get("escalated_at", event.at)
    review = review_services.review_create(
        source.actor,
        facilitator=source.created_by,  # the person who connected the tool, until someone takes it on
        title=(event.title or f"{source.get_kind_display()} {record.external_id}")[:200],
        customer=(event.customer or "Not known yet")[:200],
        severity=event.severity or Severity.SEV2,
        team=people.team_for(source, event.team_key),
        summary=f"Opened from {source.name}: {record.url or record.external_id}.",
        escalated_at=escalated_at,
    )
    Fact.objects.create(
        incident=review.incident,
        delivery=delivery,
        field="escalated_at",
        at=escalated_at,
        value=escalated_at.isoformat(),
        applied=True,
    )
    event.milestones.pop("escalated_at", None)
    return review.incident


# Facts ---------------------------------------------------------------------


def _facts(source, incident, event, delivery):
    """Record and settle each fact of ``event``; a refused one is kept with the reason. Returns the reasons."""
    notes = []

    def attempt(fact, settle):
        try:
            with transaction.atomic():
                settle(fact)
        except REFUSED as error:
            # What the refused attempt pointed at was rolled back with it.
            fact.applied, fact.assignment, fact.entry, fact.written = False, None, None, ""
            fact.note = error_text(error) if isinstance(error, ValidationError) else str(error)
            notes.append(f"{fact.label}: {fact.note}")
        if fact.pk is None or fact.note:
            fact.save()

    def new(field, at, value="", shown="", ref=""):
        # A tool's message ids are its own: two tools may both say "comment:1".
        ref = f"{source.pk}:{ref}"[:200] if ref else ""
        return Fact(incident=incident, delivery=delivery, field=field, at=at, value=value, shown=shown[:300], ref=ref)

    actor = source.actor
    for field, when in event.milestones.items():
        attempt(new(field, when, when.isoformat()), lambda fact: _settle_value(actor, incident, fact.field, fact))
    if event.reopened:
        attempt(new("reopened", event.at), lambda fact: _settle_value(actor, incident, "resolved_at", fact))
    if event.satisfaction is not None:
        fact = new("satisfaction", event.at, str(event.satisfaction), f"{event.satisfaction} / 5")
        attempt(fact, lambda fact: _settle_value(actor, incident, "satisfaction", fact))
    for role, person in event.roles:
        user = people.match(source, person)
        if user is None:
            name = people.name_of(source, person) or "Someone"
            role_name = OwnershipRole(role).label.lower()
            what = f"{name} took the {role_name} role (not a Baton user: recorded as a name only)"
            fact = new("entry", event.at, what, ref=f"role:{role}:{name}:{event.at.isoformat()}")
            attempt(fact, lambda fact, name=name: _add_entry(actor, incident, fact, EntryKind.ROLE_CHANGE, name))
        else:
            name = user.get_full_name() or user.get_username()
            attempt(
                new(f"role:{role}", event.at, str(user.pk), name),
                lambda fact: _settle_role(actor, incident, fact.field, fact),
            )
    for entry in event.entries:
        fact = new("entry", event.at, entry.what, ref=entry.ref)
        who = entry.who or people.name_of(source, entry.person)
        attempt(fact, lambda fact, entry=entry, who=who: _add_entry(actor, incident, fact, entry.kind, who))
    if event.edit:
        ref, what = event.edit
        attempt(new("entry", event.at, what, ref=ref), lambda fact: _edit_entry(actor, incident, fact))
    if event.delete:
        attempt(
            new("entry", event.at, "", "deleted", ref=event.delete), lambda fact: _delete_entry(actor, incident, fact)
        )
    return "\n".join(notes)


class HandSet(ValidationError):
    """A facilitator set this by hand: the report is kept beside it."""


def _candidates(field, facts):
    """(value, the fact giving it) in order of preference: the earliest moment, or for the
    resolution and satisfaction the latest report (a reopening gives no resolution). The first
    that the incident's rules accept is the value; a report refused once is tried again later."""
    if field == "satisfaction":
        ordered = sorted(facts, key=lambda f: (f.at, f.pk or 0), reverse=True)
        return [(int(f.value), f) for f in ordered]
    if field == "resolved_at":
        ordered = sorted(facts, key=lambda f: (f.at, f.pk or 0), reverse=True)
        return [(None if f.field == "reopened" else f.at, f) for f in ordered]
    return [(f.at, f) for f in sorted(facts, key=lambda f: (f.at, f.pk or 0))]


def _stored(field, fact):
    if fact is None or fact.field == "reopened":
        return None
    return int(fact.value) if field == "satisfaction" else fact.at


def _settle_value(actor, incident, field, fact=None, resettle=True):
    incident = Incident.objects.get(pk=incident.pk)
    fields = [field, "reopened"] if field == "resolved_at" else [field]
    stored = [f for f in Fact.objects.filter(incident=incident, field__in=fields) if f.note != PENDING]
    claim = next((f for f in stored if f.applied), None)
    current = getattr(incident, field)
    if (claim is None and current is not None) or (claim is not None and current != _stored(field, claim)):
        raise HandSet("Kept beside the value a facilitator set by hand.")  # set, changed or cleared by hand
    refusal, giver = None, None
    for value, candidate in _candidates(field, [*stored, fact] if fact is not None else stored):
        if value == current:
            giver = candidate
            break
        try:
            with transaction.atomic():
                review_services.incident_update(actor, incident, version=incident.version, **{field: value})
        except ValidationError as error:
            refusal = refusal or error
            if candidate is fact:
                fact.note = error_text(error)  # kept with its reason; tried again when anything changes
            continue
        giver = candidate
        break
    if giver is None:
        if refusal is not None:
            raise refusal
        return
    if giver is not claim:
        Fact.objects.filter(incident=incident, field__in=fields, applied=True).update(applied=False)
        giver.applied, giver.note = True, ""
        if giver.pk is None:
            giver.save()
        else:
            Fact.objects.filter(pk=giver.pk).update(applied=True, note="")
        if resettle:
            _resettle_after(actor, incident, field)
    if fact is not None and fact.pk is None:
        fact.save()


def _resettle_after(actor, incident, changed):
    """A milestone moved: reports refused because of it may hold now, and role histories start
    from the escalation."""
    for field in MILESTONES:
        if field == changed or not Fact.objects.filter(incident=incident, field=field, applied=False).exists():
            continue
        try:
            with transaction.atomic():
                _settle_value(actor, incident, field, resettle=False)
        except REFUSED:
            continue
    if changed == "escalated_at":
        _resettle_roles(actor, incident)


def _counted(facts):
    """The stored reports that count towards a role's history: not those refused as impossible
    (a moment in the future, an overlap), which would otherwise hold every later report back."""
    return [f for f in facts if f.applied or not f.note]


def _written(assignment):
    return f"{assignment.person_id}|{assignment.started_at.isoformat()}"


def _hand_made(held, ours):
    """Whether a facilitator recorded, corrected, ended early or removed any of ``held`` (reports
    from several tools make one history: any tool's account may have written it)."""
    if any(f.assignment_id is None for f in ours.values() if f.applied):
        return True  # an assignment made from a report was removed by hand
    tools = set(Source.objects.values_list("actor_id", flat=True))
    for number, assignment in enumerate(held):
        fact = ours.get(assignment.pk)
        if assignment.created_by_id not in tools or fact is None or fact.written != _written(assignment):
            return True
        expected_end = held[number + 1].started_at if number + 1 < len(held) else None
        if assignment.ended_at != expected_end or assignment.handover_note:
            return True
    return False


def _settle_role(actor, incident, field, fact=None):
    """A role's history is its facts in time order, one holder after another, each holding it
    until the next took it over; whoever held it when the escalation began holds it from then.
    Histories a facilitator recorded by hand are left as they are."""
    role = field.split(":", 1)[1]
    incident = Incident.objects.get(pk=incident.pk)
    stored = _counted(Fact.objects.filter(incident=incident, field=field))
    facts = sorted([*stored, fact] if fact is not None else stored, key=lambda f: (f.at, f.pk or 0))
    held = list(incident.assignments.filter(role=role).order_by("started_at", "id"))
    ours = {f.assignment_id: f for f in facts if f.applied}
    if _hand_made(held, ours):
        raise HandSet("Kept beside the role history a facilitator recorded by hand.")
    escalated = incident.escalated_at
    counted = [f for f in facts if f.at <= escalated][-1:] + [f for f in facts if f.at > escalated]
    wanted = []  # (person id, start, fact): consecutive reports of the same holder are one span
    for f in counted:
        if not wanted or wanted[-1][0] != int(f.value):
            wanted.append((int(f.value), max(f.at, escalated), f))
    have = [(a.person_id, a.started_at) for a in held]
    if have == [(p, s) for p, s, _ in wanted]:
        if fact is not None and fact.pk is None:
            fact.save()
        return
    people_by_id = people.by_ids([p for p, _, _ in wanted])
    if have == [(p, s) for p, s, _ in wanted[: len(have)]]:
        todo = wanted[len(have) :]  # later holders: each hands over from the one before
    else:  # a report from before the latest (or a moved escalation): rebuild the history in time order
        for assignment in reversed(held):
            review_services.role_remove(actor, assignment)
        Fact.objects.filter(pk__in=[f.pk for f in facts if f.pk]).update(applied=False, assignment=None, written="")
        todo = wanted
    for person_id, start, giver in todo:
        assignment = review_services.role_assign(
            actor, incident, role=role, person=people_by_id[person_id], started_at=start
        )
        giver.applied, giver.assignment, giver.written = True, assignment, _written(assignment)
        if giver.pk is None:
            giver.save()
        else:
            Fact.objects.filter(pk=giver.pk).update(applied=True, assignment=assignment, written=giver.written)
    if fact is not None and fact.pk is None:
        fact.save()


def _resettle_roles(actor, incident):
    """The escalation moved: role histories made from reports are laid out again from it."""
    fields = Fact.objects.filter(incident=incident, field__startswith="role:").values_list("field", flat=True)
    for field in sorted(set(fields)):
        try:
            with transaction.atomic():
                _settle_role(actor, incident, field)
        except REFUSED:
            continue  # a history recorded by hand, or one the new escalation time cannot hold


PENDING = "Waiting for the message it changes."


def _entry_written(entry):
    return f"{entry.at.isoformat()}|{entry.kind}|{entry.who}"


def _add_entry(actor, incident, fact, kind, who):
    """A timeline entry from a report; the same message reported again is not added twice, and an
    edit or a deletion that arrived before it is applied now."""
    edits = []
    if fact.ref:
        earlier = list(Fact.objects.filter(incident=incident, field="entry", ref=fact.ref).order_by("at", "id"))
        if any((f.applied and f.entry_id) or f.shown == "created" for f in earlier):
            return  # already recorded (a repeat, or the same message from a second delivery)
        waiting = [f for f in earlier if not f.applied and f.note == PENDING]
        if any(w.shown == "deleted" for w in waiting):
            fact.shown, fact.note = "created", "Deleted in the tool before it arrived."
            fact.save()
            return
        edits = [w for w in waiting if w.at >= fact.at and w.value.strip()]
        if edits:
            fact.value = edits[-1].value  # the latest edit is the message's text
    entry = review_services.timeline_entry_add(actor, incident, at=fact.at, what=fact.value, kind=kind, who=who[:200])
    fact.entry, fact.applied, fact.written, fact.shown = entry, True, _entry_written(entry), fact.shown or "created"
    fact.save()
    if fact.ref and edits:  # the edits that waited are applied now, the latest being the text
        Fact.objects.filter(pk__in=[e.pk for e in edits]).update(
            applied=True, entry=entry, written=_entry_written(entry), note=""
        )
        Fact.objects.filter(pk__in=[e.pk for e in edits[:-1]]).update(value=edits[-1].value)


def _entry_for(incident, fact):
    """The timeline entry an earlier report of the same message made, unless a facilitator changed it."""
    earlier = (
        Fact.objects.filter(incident=incident, field="entry", ref=fact.ref, applied=True, entry__isnull=False)
        .select_related("entry")
        .order_by("-at", "-id")  # the newest report of the message: its text is the entry's
        .first()
    )
    if earlier is None:
        raise HandSet(PENDING)  # kept: applied when the message arrives
    entry = earlier.entry
    if entry.what != earlier.value or _entry_written(entry) != earlier.written:
        raise HandSet("Kept beside the entry a facilitator edited by hand.")
    if earlier.at > fact.at:
        return None  # a newer edit is already applied: this older one changes nothing
    return entry


def _edit_entry(actor, incident, fact):
    entry = _entry_for(incident, fact)
    if entry is None:
        fact.save()
        return
    entry = review_services.timeline_entry_edit(actor, entry, what=fact.value)
    fact.entry, fact.applied, fact.written = entry, True, _entry_written(entry)
    fact.save()


def _delete_entry(actor, incident, fact):
    entry = _entry_for(incident, fact)
    if entry is None:
        fact.save()
        return
    fact.value = entry.what
    review_services.timeline_entry_delete(actor, TimelineEntry.objects.get(pk=entry.pk))
    fact.applied = True
    fact.save()
