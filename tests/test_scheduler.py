"""The database-backed beat schedule: admin changes apply without a deploy."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from config.celery import app
from core.models import ScheduledJob
from core.scheduler import DatabaseScheduler


def test_default_jobs_are_created_on_migrate_and_not_overwritten(db, settings):
    names = set(ScheduledJob.objects.values_list("name", flat=True))
    assert names >= {"heartbeat", "action-item-reminders", "playbook-quarterly-cycle", "recognition-notices"}
    ScheduledJob.objects.filter(name="heartbeat").update(every_seconds=5)
    call_command("migrate", verbosity=0)  # post_migrate runs again
    assert ScheduledJob.objects.get(name="heartbeat").every_seconds == 5


@pytest.mark.django_db(transaction=True)  # beat closes stale connections, as in production
def test_beat_reads_the_schedule_from_the_database():
    ScheduledJob.objects.filter(name="heartbeat").update(every_seconds=7)
    ScheduledJob.objects.filter(name="recognition-notices").update(enabled=False)
    scheduler = DatabaseScheduler(app=app, lazy=True)
    scheduler.setup_schedule()
    assert scheduler.schedule["heartbeat"].schedule.run_every == timedelta(seconds=7)
    assert "recognition-notices" not in scheduler.schedule
    assert scheduler.schedule["playbook-quarterly-cycle"].is_due().is_due  # never ran: due at once
    # An administrator changes it: beat picks it up at its next sync, and records last runs.
    ScheduledJob.objects.filter(name="heartbeat").update(every_seconds=60)
    ran = timezone.now()
    scheduler.schedule["action-item-reminders"].last_run_at = ran
    scheduler.sync()
    assert scheduler.schedule["heartbeat"].schedule.run_every == timedelta(seconds=60)
    assert ScheduledJob.objects.get(name="action-item-reminders").last_run_at == ran


def test_the_reconcile_command(db, staff, governance):
    from playbook.models import ReviewTask
    from tests.test_playbook_services import new_section

    new_section(staff, governance)
    call_command("reconcile_playbook_cycle", date="2026-11-03", no_notices=True)
    call_command("reconcile_playbook_cycle", date="2026-11-03")
    assert ReviewTask.objects.count() == 1


def test_scheduled_jobs_saved_before_the_move_follow_their_tasks(db):
    """A database from before core and insights existed names the old task paths: the migration
    points them at the tasks workers know, or the heartbeat would stop and /health/ turn 503."""
    from importlib import import_module

    from django.apps import apps

    from core.models import ScheduledJob

    ScheduledJob.objects.filter(name="heartbeat").update(task="config.tasks.heartbeat")
    ScheduledJob.objects.filter(name="quarter-snapshot").update(task="reviews.tasks.prepare_snapshot")
    import_module("core.migrations.0004_scheduled_tasks_follow_their_apps").forward(apps, None)
    tasks = dict(ScheduledJob.objects.values_list("name", "task"))
    assert tasks["heartbeat"] == "core.tasks.heartbeat"
    assert tasks["quarter-snapshot"] == "insights.tasks.prepare_snapshot"
    from config.celery import app

    app.loader.import_default_modules()
    assert {"core.tasks.heartbeat", "insights.tasks.prepare_snapshot"} <= set(app.tasks)


def test_the_moved_models_keep_their_content_types_and_so_their_permissions(db):
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.filter(app_label="insights").update(app_label="reviews")  # as before the move
    granted = Permission.objects.get(content_type__model="sharelink", codename="view_sharelink")
    import_module("insights.migrations.0001_snapshot_and_share_links").relabel_content_types(apps, None)
    granted.refresh_from_db()
    assert granted.content_type.app_label == "insights"
    assert not ContentType.objects.filter(app_label="reviews", model__in=["snapshot", "sharelink"]).exists()
