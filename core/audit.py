"""The audit trail: who changed what and when.

Services call :func:`record` inside the transaction that makes the change, so
the record and the change commit together. Role grants made in the admin are
recorded from the ``m2m_changed`` signal of ``User.groups``; the person doing
it is known from :class:`AuditRequestMiddleware`.
"""

import contextvars
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import models

from core.models import AuditEvent
from core.roles import ROLE_GROUPS, is_governance

_request = contextvars.ContextVar("baton_audit_request", default=None)


def can_view(user):
    """Governance owners and admins read the audit trail; nobody edits it."""
    return is_governance(user)


def current_actor():
    """The signed-in person of the request being served, if any (for changes
    made outside the services, such as role grants in the admin)."""
    request = _request.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _plain(value):
    """A JSON-safe form of a field value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def snapshot(instance, fields):
    """The current values of ``fields`` on ``instance``, to diff after a change."""
    return {field: _plain(getattr(instance, field)) for field in fields}


def diff(before, after):
    """Field → [before, after] for the fields whose value changed."""
    return {field: [before.get(field), value] for field, value in after.items() if before.get(field) != value}


def record(actor, action, subject, *, changes=None, note="", label=None, url=None):
    """Append one event. ``subject`` is the model instance the change is about."""
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if url is None:
        url = subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else ""
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=(actor.get_full_name() or actor.get_username()) if actor else "",
        action=action,
        subject_type=subject._meta.model_name,
        subject_id=str(subject.pk),
        subject_label=(label or str(subject))[:300],
        subject_url=url[:300],
        changes=changes or {},
        note=note or "",
    )


def record_group_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    """``m2m_changed`` receiver for ``User.groups``: role grants and removals."""
    if action not in ("post_add", "post_remove", "pre_clear") or reverse:
        return
    if action == "pre_clear":
        names = list(instance.groups.filter(name__in=ROLE_GROUPS).values_list("name", flat=True))
        verb = "role.revoked"
    else:
        names = list(Group.objects.filter(pk__in=pk_set or (), name__in=ROLE_GROUPS).values_list("name", flat=True))
        verb = "role.granted" if action == "post_add" else "role.revoked"
    for name in sorted(names):
        record(
            current_actor(),
            verb,
            instance,
            label=instance.get_full_name() or instance.get_username(),
            url="",
            changes={"role": [None, name] if verb == "role.granted" else [name, None]},
        )


class AuditRequestMiddleware:
    """Makes the request's signed-in person known to :func:`current_actor`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


# Readers of the trail see an event's text only where they may see its subject ----------

#: Functions ``(user, events) -> ids of the events whose subject ``user`` may not see``, registered
#: by the apps that own the subjects (reviews registers its own), so the trail needs no app's rules.
_HIDDEN_SUBJECTS = []


def register_subject_guard(guard):
    """Idempotent: an app registering again (its ready() run twice) adds nothing."""
    if guard not in _HIDDEN_SUBJECTS:
        _HIDDEN_SUBJECTS.append(guard)


def redact_for(user, events):
    """Blank the label, changes and note of the ``events`` whose subject ``user`` may not see."""
    events = list(events)
    hidden = set()
    for guard in _HIDDEN_SUBJECTS:
        hidden |= guard(user, events)
    for event in events:
        if event.pk in hidden:
            event.subject_label = "An item you cannot open"
            event.subject_url = ""
            event.changes = {}
            event.note = ""
    return events
