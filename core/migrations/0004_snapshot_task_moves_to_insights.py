"""The quarterly snapshot task now lives in the insights app: scheduled jobs that name it follow."""

from django.db import migrations

OLD, NEW = "reviews.tasks.prepare_snapshot", "insights.tasks.prepare_snapshot"


def rename(apps, schema_editor, old=OLD, new=NEW):
    apps.get_model("baton", "ScheduledJob").objects.filter(task=old).update(task=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [("baton", "0003_audit_event")]

    operations = [migrations.RunPython(rename, rename_back)]
