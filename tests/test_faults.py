"""Background work under faults, with real processes: Celery workers killed with
SIGKILL mid-task, the same task delivered twice, and a Redis server (started by
the test on its own port) stopped and started again.

Mail goes to a small SMTP server run by the test (``MailSink``): the workers are
other processes, so they send it real SMTP. The sink can hold its answer to a
mail's DATA, which leaves a worker blocked mid-send in a known place; a worker
killed there never got the "250 accepted", so the mail was not delivered, as
with a real mail server. Every test asserts the same outcome: each expected
mail accepted exactly once, none lost. Each prints a ``FAULTS`` line with its
figures (run with ``-s`` to see them).
"""

import email
import email.policy
import os
import re
import select
import signal
import socket
import socketserver
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from core import runs
from core.models import Heartbeat, Notification
from recognition import services as recognition_services
from recognition.models import Recognition
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.faults import _children, celery_pointed_at, wait_for

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parent.parent
SUBJECT = re.compile(r"recognised")


def report(name, **figures):
    print(f"\nFAULTS {name}: " + ", ".join(f"{key}={value}" for key, value in figures.items()))


# A mail server the test controls ------------------------------------------------


class _ThreadingServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class MailSink:
    """An SMTP server on a free local port, in a thread of the test process.

    ``accepted`` lists (recipients, subject) of every mail it answered "250"
    to. With ``hold_at = n`` the n-th mail is not answered until ``release``
    is set; if the client disconnects meanwhile (its worker was killed) the
    mail is dropped and counted in ``dropped``. ``delay`` slows every answer,
    to make concurrent senders overlap.
    """

    def __init__(self, delay=0.0):
        self.accepted = []
        self.dropped = 0
        self.received = 0
        self.hold_at = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.delay = delay
        self.lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                sink.session(self.connection, self.rfile, self.wfile)

        self.server = _ThreadingServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def env(self):
        """Environment for a worker that mails through this sink."""
        return {"EMAIL_URL": f"smtp://127.0.0.1:{self.port}", "EMAIL_TIMEOUT": "120"}

    def per_recipient(self):
        with self.lock:
            return Counter(address for recipients, _ in self.accepted for address in recipients)

    def session(self, sock, rfile, wfile):
        def reply(line):
            wfile.write(line.encode() + b"\r\n")
            wfile.flush()

        reply("220 sink ESMTP")
        recipients = []
        while line := rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                reply("250-sink")
                reply("250 8BITMIME")
            elif verb in ("HELO", "NOOP"):
                reply("250 OK")
            elif verb in ("MAIL", "RSET"):
                recipients = []
                reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.partition("<")[2].partition(">")[0])
                reply("250 OK")
            elif verb == "DATA":
                reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := rfile.readline()) not in (b".\r\n", b".\n"):
                    if not data:
                        return  # the client is gone mid-message
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                with self.lock:
                    self.received += 1
                    number = self.received
                if number == self.hold_at:
                    self.held.set()
                    if not self._wait_for_release(sock):
                        with self.lock:
                            self.dropped += 1
                        return
                elif self.delay:
                    time.sleep(self.delay)
                with self.lock:
                    self.accepted.append((tuple(recipients), str(message["Subject"])))
                reply("250 OK accepted")
            elif verb == "QUIT":
                reply("221 Bye")
                return
            else:
                reply("502 Not implemented")

    def _wait_for_release(self, sock):
        """True once released; False if the client disconnects first."""
        while not self.release.wait(0.1):
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                try:
                    if not sock.recv(1, socket.MSG_PEEK):
                        return False
                except OSError:
                    return False
        return True


@pytest.fixture
def sink():
    server = MailSink()
    yield server
    server.close()


# Real worker processes ------------------------------------------------------------


def team_of(count, slug):
    team = TeamFactory(slug=slug)
    members = [MembershipFactory(team=team).user for _ in range(count)]
    return team, [member.email for member in members]


def notices():
    """The mails recorded as sent: a notice's claim commits with its send (core.delivery)."""
    return Notification.objects.filter(sent_at__isnull=False).count()


# SIGKILL mid-task -------------------------------------------------------------------


def test_a_pool_process_killed_mid_send_is_redelivered_and_each_mail_goes_once(workers, sink, staff):
    """SIGKILL the pool process that runs the task while its 2nd of 4 mails is
    being sent. The worker's main process sees the loss and, with ``acks_late``
    and ``reject_on_worker_lost``, puts the message back on the queue at once; a
    new pool process runs the task again. The mail accepted before the kill is
    recorded and not sent again; the one cut off and the two never tried are sent."""
    sink.hold_at = 2
    worker = workers("pool", env=sink.env, pool="prefork")
    team, addresses = team_of(4, "sre")
    recognition_services.recognition_give(staff, team=team, category="clear_ownership", message="Clear from the start.")

    assert sink.held.wait(60), "the task never reached its second mail"
    assert len(sink.accepted) == 1 and notices() == 1  # the second mail's record is not committed
    (pool_process,) = _children(worker.pid)
    os.kill(pool_process, signal.SIGKILL)
    wait_for(lambda: sink.dropped == 1, 30, "the killed process's connection to drop")
    sink.hold_at = None

    wait_for(lambda: notices() == 4 and len(sink.accepted) == 4, 90, "the redelivered task to finish")
    time.sleep(1)  # room for a (wrong) second delivery to show
    assert sink.per_recipient() == Counter(addresses)  # each recipient exactly once
    assert all(SUBJECT.search(subject) for _, subject in sink.accepted)
    assert worker.poll() is None  # the worker itself lives on
    log = worker.log.read_text()
    assert "WorkerLostError" in log or "signal 9" in log
    report("pool-process-sigkill", faults=1, expected=4, sent=len(sink.accepted), duplicates=0, lost=0)


def test_a_worker_killed_mid_send_leaves_the_task_to_the_next_worker(workers, sink, staff):
    """SIGKILL the whole worker (its process group) while the 2nd of 4 mails is
    being sent. Nobody is left to reject the message: it stays unacknowledged
    in Redis, and Redis redelivers it only after the visibility timeout
    (an hour by default). The next worker runs with ``CELERY_VISIBILITY_TIMEOUT=3``
    (it sweeps for abandoned messages every second), so the redelivery comes
    from the broker, not from a reconcile run."""
    sink.hold_at = 2
    doomed = workers("doomed", env=sink.env)
    team, addresses = team_of(4, "payments")
    recognition = recognition_services.recognition_give(
        staff, team=team, category="clear_ownership", message="On it at once."
    )

    assert sink.held.wait(60), "the task never reached its second mail"
    assert len(sink.accepted) == 1 and notices() == 1
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)
    wait_for(lambda: sink.dropped == 1, 30, "the killed worker's connection to drop")
    sink.hold_at = None
    killed_at = time.monotonic()

    heir = workers("heir", env={**sink.env, "CELERY_VISIBILITY_TIMEOUT": "3"})
    wait_for(lambda: notices() == 4 and len(sink.accepted) == 4, 90, "the redelivered task to finish")
    recovered_in = time.monotonic() - killed_at
    time.sleep(1)
    assert sink.per_recipient() == Counter(addresses)
    assert "notify_recognition[" in heir.log.read_text()  # the heir ran it
    assert recognition_services.send_notices(recognition.pk) == 0  # everything is recorded
    report(
        "worker-sigkill",
        faults=1,
        expected=4,
        sent=len(sink.accepted),
        duplicates=0,
        lost=0,
        redelivered_after=f"{recovered_in:.1f}s",
    )


# Poison work -----------------------------------------------------------------------------


def test_a_task_that_kills_every_worker_is_parked_and_the_queue_flows_on(workers, admin, settings):
    """A task SIGKILLs the pool process running it, every time. The worker's main process puts it
    back after each loss; after TASK_MAX_LOST_WORKERS (3) losses the next start parks it instead of
    running it, and the task queued behind it runs. An admin retries it by hand."""
    from config.celery import app

    worker = workers("poisoned", pool="prefork", include=["tests.poison_tasks"])
    poison = app.send_task("tests.poison_tasks.kill_my_worker", args=["x"])
    wait_for(lambda: runs.parked().filter(task_id=poison.id).exists(), 120, "the poison task to be parked")
    app.send_task("core.tasks.heartbeat")
    wait_for(lambda: Heartbeat.objects.filter(name="worker").exists(), 60, "the next task to run")
    [run] = runs.parked()
    assert (run.name, run.args, run.starts) == ("tests.poison_tasks.kill_my_worker", ["x"], 3)
    assert "worker was lost 3 times" in run.error
    assert worker.poll() is None  # the worker lives on
    assert worker.log.read_text().count("WorkerLostError") >= 3

    runs.parked_retry(admin, run)  # sent again by hand: killed three more times, parked again
    wait_for(lambda: runs.parked().exclude(task_id=poison.id).exists(), 120, "the retried task to be parked")
    assert runs.parked().count() == 1  # the first parked run was cleared when it was retried
    report("poison-task", lost_workers=3, parked=1, queue_flowed=True, retried_by_hand=1)


# Duplicate delivery --------------------------------------------------------------------


def test_the_same_task_delivered_three_times_sends_each_mail_once(workers, staff):
    """The task sent after commit plus two copies with one task id (as a broker
    redelivering a message whose acknowledgement was lost would), run by two
    pool processes at once against a slow mail server so that the runs overlap:
    every run completes, each mail is sent once."""
    sink = MailSink(delay=0.3)
    try:
        from recognition.tasks import notify_recognition

        team, addresses = team_of(3, "support")
        recognition = recognition_services.recognition_give(
            staff, team=team, category="clear_ownership", message="Owned it."
        )
        for _ in range(2):
            notify_recognition.apply_async((recognition.pk,), task_id=f"duplicate-{recognition.pk}")
        worker = workers("twins", env=sink.env, pool="prefork", concurrency=2)

        done = re.compile(r"notify_recognition\[[^\]]+\] succeeded in [\d.]+s: (\d+)")
        wait_for(lambda: len(done.findall(worker.log.read_text())) == 3, 90, "three runs of the task")
        sent_per_run = sorted(int(n) for n in done.findall(worker.log.read_text()))
        assert sum(sent_per_run) == 3
        assert sink.per_recipient() == Counter(addresses)
        assert notices() == 3
        report("duplicate-delivery", deliveries=3, sent_per_run=sent_per_run, expected=3, sent=len(sink.accepted))
    finally:
        sink.close()


# Redis stopped and started again -----------------------------------------------------


def test_with_redis_down_the_site_serves_and_saves_and_the_mail_follows_once(
    workers, own_redis, settings, monkeypatch, client, staff, facilitator
):
    """Crash Redis (no persistence) with a task still queued, then keep it down
    while people read pages and make edits; start it again, start a worker and
    run the recognition reconcile (what beat sends every few minutes). Every
    recognition made before or during the outage is mailed, each mail once."""
    sink = MailSink()
    try:
        with celery_pointed_at(own_redis.url, settings, monkeypatch) as app:
            with app.connection_for_write() as conn:
                assert (conn.transport_cls, conn.hostname, conn.port) == ("redis", "127.0.0.1", own_redis.port)
            team_before, before = team_of(2, "before")
            recognition_services.recognition_give(
                staff, team=team_before, category="clear_ownership", message="Queued."
            )
            assert own_redis.client().llen("celery") == 1  # the task really went to this Redis

            own_redis.stop()  # the queued task dies with it: Redis kept nothing on disk

            client.force_login(facilitator)
            pages = ["/", "/reviews/", "/recognition/", "/playbook/", "/insights/", "/teams/"]
            slowest = 0.0
            for path in pages:
                started = time.monotonic()
                assert client.get(path).status_code == 200, path
                slowest = max(slowest, time.monotonic() - started)
            health = client.get("/health/")
            assert health.status_code == 503 and not health.json()["checks"]["broker"]["ok"]

            # Two edits that each enqueue a task: the second must not wait on a
            # reconnect loop left behind by the first.
            team_during, during = team_of(2, "during")
            person = UserFactory()
            give_took = []
            for target in ({"team": team_during.pk}, {"person": person.pk}):
                started = time.monotonic()
                response = client.post(
                    "/recognition/give/", {**target, "category": "clear_ownership", "message": "Held on."}
                )
                give_took.append(time.monotonic() - started)
                assert response.status_code == 302
                assert max(give_took) < 5, f"giving a recognition took {max(give_took):.1f}s with Redis down"
            during.append(person.email)
            assert Recognition.objects.count() == 3

            started = time.monotonic()
            response = client.post(
                "/reviews/new/",
                {
                    "title": "Outage",
                    "customer": "Acme",
                    "severity": "sev2",
                    "team": team_during.pk,
                    "escalated_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                },
            )
            review_took = time.monotonic() - started
            assert response.status_code == 302, response.content.decode()[:2000]
            assert notices() == 0

            own_redis.start()  # empty: nothing survived
            assert own_redis.client().llen("celery") == 0
            workers(
                "after-outage",
                env={**sink.env, "CELERY_BROKER_URL": own_redis.url, "CELERY_RESULT_BACKEND": own_redis.url},
            )
            # The reconcile leaves recognitions younger than two minutes to the
            # task sent after commit; the outage "lasted" longer than that.
            Recognition.objects.update(created_at=timezone.now() - timedelta(minutes=3))
            from recognition.tasks import reconcile_notices

            assert reconcile_notices.delay().get(timeout=60) == 5
            assert reconcile_notices.delay().get(timeout=60) == 0  # beat's next run: nothing twice
            assert sink.per_recipient() == Counter(before + during)
            assert notices() == 5
            report(
                "redis-outage",
                faults="crash with 1 task queued + outage",
                pages_served=len(pages),
                slowest_page=f"{slowest:.2f}s",
                give_took=[f"{took:.2f}s" for took in give_took],
                review_took=f"{review_took:.2f}s",
                expected=5,
                sent=len(sink.accepted),
                duplicates=0,
                lost=0,
            )
    finally:
        sink.close()
