"""Real processes for the fault tests: Celery workers started and killed, a redis-server of the
test's own that can be stopped and started, and this process's Celery app pointed at it.
Loaded as a pytest plugin by tests/conftest.py, so any suite can use the fixtures."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import _worker_env, require

ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition, timeout=60, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


def _children(pid):
    """Process ids whose parent is ``pid`` (a prefork worker's pool processes)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.fixture
def workers(transactional_db, redis_server):
    """Start real Celery workers (each in its own process group); all are stopped at the end."""
    started = []

    def start(name, *, env=None, pool="solo", concurrency=1, include=()):
        log = settings.VAR_DIR / f"faults-{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        out = open(log, "wb")  # noqa: SIM115 (closed at teardown)
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            f"--pool={pool}",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-n",
            f"{name}-{os.getpid()}@%h",
        ]
        if pool == "prefork":
            command.append(f"--concurrency={concurrency}")
        command += [f"--include={module}" for module in include]
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**_worker_env(), **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proc.log, proc.out = log, out
        started.append(proc)
        deadline = time.monotonic() + 60
        while b"ready." not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Celery worker {name} did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        proc.out.close()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisProcess:
    """A redis-server of the test's own, on its own port, keeping nothing on disk."""

    def __init__(self, port):
        self.port, self.proc = port, None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        from tests import services

        wait_for(lambda: services.redis_up(port=self.port), 20, f"redis-server on port {self.port}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port)


@pytest.fixture
def own_redis():
    require("redis-server (Debian's redis-server package)", shutil.which("redis-server"))
    server = RedisProcess(_free_port())
    server.start()
    yield server
    server.stop()


@contextmanager
def celery_pointed_at(url, settings, monkeypatch):
    """Point this process's Celery app (broker and result backend) at ``url``.
    Celery reads CELERY_BROKER_URL and CELERY_RESULT_BACKEND from the
    environment before its configuration, so those change too."""
    from config.celery import app

    def switch(broker, backend):
        # Forget the cached pools and backend (kombu keeps the pools themselves, per URL).
        app._pool = None
        app.amqp._producer_pool = None
        app._backend_cache = None
        app._local.backend = None
        app.conf.broker_url, app.conf.result_backend = broker, backend

    before = settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = url
    with monkeypatch.context() as env:
        env.setenv("CELERY_BROKER_URL", url)
        env.setenv("CELERY_RESULT_BACKEND", url)
        switch(url, url)
        try:
            yield app
        finally:
            env.undo()
            switch(*before)
