"""Bring moments saved before the date window existed back inside it.

A year-1 or year-9999 timestamp (a typing mistake the forms and the API once
accepted) breaks every page shown outside UTC. Each is moved to the window's
nearest edge, which keeps every order between them (a role still ends after it
starts, milestones stay in sequence)."""

from datetime import UTC, datetime

from django.db import migrations

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
FIELDS = {
    "Incident": ["escalated_at", "acknowledged_at", "first_customer_update_at", "resolved_at",
                 "ownership_established_at"],
    "RoleAssignment": ["started_at", "ended_at"],
    "TimelineEntry": ["at"],
}


def clamp(apps, schema_editor):
    for name, fields in FIELDS.items():
        model = apps.get_model("reviews", name)
        for field in fields:
            model.objects.filter(**{f"{field}__lt": EARLIEST}).update(**{field: EARLIEST})
            model.objects.filter(**{f"{field}__gt": LATEST}).update(**{field: LATEST})


class Migration(migrations.Migration):
    dependencies = [("reviews", "0010_incident_customer_summary")]

    operations = [migrations.RunPython(clamp, migrations.RunPython.noop)]
