import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.models import Heartbeat
from core.roles import FACILITATORS, GOVERNANCE
from tests import services
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "screenshots"
CI = os.environ.get("CI", "").lower() == "true"

# Worker processes and a redis-server of the test's own (faults); the tools' people and APIs (vendors).
pytest_plugins = ["tests.faults", "tests.vendors"]


def require(name, available):
    """Skip a test whose service is missing, or fail it under CI=true."""
    if available:
        return
    message = f"{name} is not available"
    if CI:
        pytest.fail(f"{message} (required with CI=true)")
    pytest.skip(message)


# People, one per role ------------------------------------------------------


@pytest.fixture
def api():
    """An API client; authenticate it as a person with ``api.force_authenticate(user)``."""
    return APIClient()


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", first_name="Sam", last_name="Staff")


@pytest.fixture
def facilitator(db):
    return UserFactory(username="facilitator", first_name="Fiona", last_name="Facilitator", roles=[FACILITATORS])


@pytest.fixture
def governance(db):
    return UserFactory(username="governance", first_name="Gordon", last_name="Governance", roles=[GOVERNANCE])


@pytest.fixture
def admin(db):
    return UserFactory(username="root", first_name="Ada", is_staff=True, is_superuser=True)


@pytest.fixture
def fclient(client, facilitator):
    """A browserless client signed in as the facilitator."""
    client.force_login(facilitator)
    return client


@pytest.fixture
def password():
    return PASSWORD


# Real services --------------------------------------------------------------


@pytest.fixture
def redis_server():
    require("Redis on 127.0.0.1:6379", services.redis_up())
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    return app


def _worker_env():
    """Environment for a subprocess that must use this test run's database."""
    env = dict(os.environ)
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        user = db["USER"] or ""
        host = db["HOST"] or "127.0.0.1"
        port = db["PORT"] or 5432
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{db['NAME']}"
    return env


@pytest.fixture
def celery_worker_process(transactional_db, redis_server):
    """A real Celery worker (its own process) on the real Redis broker."""
    from django.conf import settings

    log = settings.VAR_DIR / "worker.log"  # BATON_VAR_DIR: parallel runs each keep their own
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-mingle",
                "--without-gossip",
                "-n",
                f"test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=_worker_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    pytest.fail(f"Celery worker exited: {log.read_text()[-2000:]}")
                if b"ready." in log.read_bytes() and Heartbeat.objects.exists():
                    break  # ready, and it has run its start-up heartbeat
                time.sleep(0.2)
            else:
                pytest.fail(f"Celery worker did not start: {log.read_text()[-2000:]}")
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# The browser ----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    path = services.chromium_path()
    require("Chromium (Debian's chromium package)", path)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot under screenshots/ (ignored by git)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    vendor = connection.vendor

    def take(page, name):
        path = SCREENSHOTS / f"{name}-{vendor}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, stopped before the test database is dropped."""
    return live_server


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end connections that helper threads
    (live server, Playwright's executor) left open, so teardown can drop it."""
    yield
    from django.db import connections

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    connections.close_all()
