"""Scheduled jobs follow their tasks to the apps that now hold them: the heartbeat to core, the
quarterly snapshot to insights. (A job naming a task no worker knows would silently stop.)"""

from django.db import migrations

MOVES = [
    ("config.tasks.heartbeat", "core.tasks.heartbeat"),
    ("reviews.tasks.prepare_snapshot", "insights.tasks.prepare_snapshot"),
]


def forward(apps, schema_editor, moves=MOVES):
    jobs = apps.get_model("baton", "ScheduledJob").objects
    for old, new in moves:
        jobs.filter(task=old).update(task=new)


def backward(apps, schema_editor):
    forward(apps, schema_editor, [(new, old) for old, new in MOVES])


class Migration(migrations.Migration):
    dependencies = [("baton", "0003_audit_event")]

    operations = [migrations.RunPython(forward, backward)]
