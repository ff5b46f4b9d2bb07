"""A real Celery worker process on the real Redis broker."""

import time

from core.models import Heartbeat
from core.tasks import heartbeat


def test_a_task_round_trips_through_a_real_worker(celery_worker_process):
    result = heartbeat.delay()
    value = result.get(timeout=30)
    beat = Heartbeat.objects.get(name="worker")
    assert value == beat.beat_at.isoformat()
    assert celery_worker_process.poll() is None


def test_enqueue_on_commit_sends_only_after_commit(celery_worker_process):
    from django.db import transaction

    from core.tasks import enqueue_on_commit

    Heartbeat.objects.all().delete()
    with transaction.atomic():
        enqueue_on_commit(heartbeat)
        time.sleep(1.5)  # a task sent now would have run by the end of this pause
        assert not Heartbeat.objects.exists()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not Heartbeat.objects.exists():
        time.sleep(0.2)
    assert Heartbeat.objects.filter(name="worker").exists()


def test_the_reminder_reconcile_task_runs_on_a_real_worker(celery_worker_process, facilitator, staff):
    from datetime import timedelta

    from django.utils import timezone

    from reviews import services
    from reviews.models import ActionReminder
    from reviews.tasks import send_action_item_reminders
    from tests.factories import make_review

    review = make_review(facilitator)
    item = services.action_item_add(
        facilitator,
        review,
        title="Due tomorrow",
        owner=staff,
        due_on=timezone.localdate() + timedelta(days=1),
        kind="other",
    )
    assert send_action_item_reminders.delay().get(timeout=30) == 1
    assert send_action_item_reminders.delay().get(timeout=30) == 0  # a duplicate run sends nothing
    assert list(ActionReminder.objects.values_list("action_item", "kind")) == [(item.pk, "due_soon")]


def test_the_quarterly_reconcile_runs_twice_on_a_real_worker_across_a_quarter_boundary(
    celery_worker_process, staff, governance
):
    from playbook.models import ReviewCycle, ReviewTask
    from playbook.tasks import reconcile_quarterly_cycle
    from tests.test_playbook_services import new_section

    new_section(staff, governance, slug="payments")
    new_section(staff, governance, slug="database", pattern="Database down")
    for day in ("2026-12-31", "2026-12-31", "2027-01-01", "2027-01-01"):
        result = reconcile_quarterly_cycle.delay(day).get(timeout=30)
        assert result["tasks_created"] in (0, 2)
    assert [str(c) for c in ReviewCycle.objects.order_by("year", "quarter")] == ["2026 Q4", "2027 Q1"]
    assert ReviewTask.objects.count() == 4  # exactly one per section per quarter


def test_recognition_mail_is_sent_after_commit_by_a_real_worker(celery_worker_process, staff):
    from recognition import services as recognition_services
    from recognition.models import RecognitionNotice
    from tests.factories import MembershipFactory, TeamFactory

    team = TeamFactory(slug="sre")
    MembershipFactory(team=team)
    MembershipFactory(team=team)
    recognition_services.recognition_give(staff, team=team, category="clear_ownership", message="Clear from the start.")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and RecognitionNotice.objects.count() < 2:
        time.sleep(0.2)
    assert RecognitionNotice.objects.filter(kind="recognised").count() == 2
    assert recognition_services.send_notices(RecognitionNotice.objects.first().recognition_id) == 0  # never twice
