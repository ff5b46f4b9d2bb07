"""Health, deploy checks, demo data and migrations."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from core.models import Heartbeat
from teams.models import Membership, Team

ROOT = Path(__file__).resolve().parent.parent


def test_health_reports_a_missing_worker(client, db, redis_server):
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["worker"] == {"ok": False, "error": "no heartbeat yet"}


def test_health_is_ok_with_a_fresh_heartbeat_and_degraded_with_a_stale_one(client, db, redis_server):
    beat = Heartbeat.objects.create(name="worker", beat_at=timezone.now(), worker="w1")
    response = client.get("/health/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"
    beat.beat_at = timezone.now() - timedelta(hours=1)
    beat.save()
    assert client.get("/health/").json()["checks"]["worker"]["ok"] is False


def test_health_reports_a_broker_that_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"ok": False, "error": "OperationalError"}


def test_check_deploy_is_clean_with_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECURE_HTTPS", "STATICFILES_STORAGE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        SECRET_KEY="a-production-secret-key-with-plenty-of-entropy-9f8e7d6c5b4a3f2e1d0c",
        ALLOWED_HOSTS="baton.example.com",
        DATABASE_URL="postgres://baton@db.example.com:5432/baton",
        CELERY_BROKER_URL="redis://redis.example.com:6379/0",
        EMAIL_URL="smtp+tls://baton:secret@mail.example.com:587",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_refuse_to_start_without_a_secret_key_in_production():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo", quiet=True)
    User = get_user_model()
    counts = (User.objects.count(), Team.objects.count(), Membership.objects.count())
    fiona = User.objects.get(username="fiona")
    assert fiona.check_password("baton-demo")
    assert fiona.groups.filter(name="facilitators").exists()
    assert User.objects.get(username="gordon").groups.filter(name="governance").exists()
    assert User.objects.get(username="admin").is_superuser
    password_hash = fiona.password

    call_command("seed_demo", quiet=True)
    assert (User.objects.count(), Team.objects.count(), Membership.objects.count()) == counts
    assert User.objects.get(username="fiona").password == password_hash


def test_role_groups_come_from_a_migration(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {"facilitators", "governance"}


def test_no_missing_migrations(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize("path", ["/static/css/baton.css", "/static/js/baton.js"])
def test_static_files_are_served_locally(live_server, path):
    import urllib.request

    with urllib.request.urlopen(live_server.url + path, timeout=10) as response:
        assert response.status == 200
        assert len(response.read()) > 100
