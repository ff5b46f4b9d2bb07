"""Baton's benchmark: ``make bench`` (``python -m bench.run --incidents N``).

1. A dedicated PostgreSQL database (``baton_bench``), migrated and filled by
   ``seed_scale`` (re-seeded only when it holds a different number of incidents).
2. The production setup: gunicorn (sync workers, 2 × cores + 1), DEBUG off,
   whitenoise with collected, compressed static files, persistent connections.
3. A signed-in session (a facilitator, who sees every review), then wrk
   against each page and API list, one after the other, and against a trivial
   Django view (``/bench/ceiling/``, same middleware) as the ceiling.
4. Queries per request, counted with Django's test client on the same database.
5. The quarterly playbook reconcile for 10,000 sections and the streamed
   incident CSV export, timed in this process.

Prints one table and writes the same figures as JSON under ``var/bench/``.
"""

import argparse
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "baton_bench")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
CORES = os.cpu_count() or 2
PASSWORD = secrets.token_urlsafe(16)
SECTIONS_FOR_RECONCILE = 10_000


def environment():
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SECURE_HTTPS": "false",  # plain HTTP on the loopback; TLS is the proxy's job
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "CONN_MAX_AGE": "600",
        "BATON_VAR_DIR": "var/bench",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "memorymail://",  # the reconcile's mail is rendered, not printed
        # The webhook run's worker takes its tasks from here (pages enqueue nothing).
        "CELERY_BROKER_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/12"),
        "CELERY_RESULT_BACKEND": "",
    }
    os.environ.update(env)
    return env


def say(message):
    print(message, flush=True)


# The database ------------------------------------------------------------------------


def prepare_database(incidents, seed, reseed):
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        held = None
        if exists:
            with psycopg.connect(f"{PG}/{DB_NAME}") as db:
                table = db.execute("SELECT to_regclass('reviews_incident')").fetchone()[0]
                held = db.execute("SELECT count(*) FROM reviews_incident").fetchone()[0] if table else 0
        if exists and (reseed or held != incidents):
            say(f"Database {DB_NAME} holds {held} incidents; recreating it for {incidents}.")
            admin.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
            exists = False
        if not exists:
            admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from reviews.models import Incident

    if not Incident.objects.exists():
        say(f"Seeding {incidents:,} incidents (seed {seed})…")
        started = time.monotonic()
        call_command("seed_scale", incidents=incidents, seed=seed)
        say(f"Seeded in {time.monotonic() - started:.0f} s.")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="bench")
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    from django.db import connection

    with connection.cursor() as cursor:
        # As autovacuum would after a bulk load: statistics, and the visibility map that
        # index-only counts rely on. Django is in autocommit here, so VACUUM may run.
        cursor.execute("VACUUM ANALYZE")
    call_command("collectstatic", interactive=False, verbosity=0)


# What to measure -----------------------------------------------------------------------


def targets():
    """(name, path, kind) for every page and API list measured, ids taken from the data."""
    from insights.figures import Period
    from playbook.models import Section
    from reviews.models import Review
    from teams.models import Team

    review = Review.objects.filter(state="published").order_by("-incident__escalated_at", "-pk").first()
    team = Team.objects.order_by("pk").first()
    section = Section.objects.order_by("slug").first()
    last_quarter = Period.containing(date.today()).previous()
    quarter = last_quarter.param
    return [
        ("ceiling (trivial view)", "/bench/ceiling/", "ceiling"),
        ("review list", "/reviews/", "page"),
        ("review list, filtered", f"/reviews/?state=published&severity=sev2&team={team.slug}", "page"),
        ("review list, searched", "/reviews/?q=certificate", "page"),
        ("review page", f"/reviews/{review.pk}/", "page"),
        ("playbook section", f"/playbook/{section.slug}/", "page"),
        ("playbook version diff", f"/playbook/{section.slug}/compare/?a=12&b=20", "page"),
        ("recognition board", "/recognition/", "page"),
        ("insights dashboard", f"/insights/?quarter={quarter}", "page"),
        ("API reviews", "/api/reviews/", "api"),
        ("API reviews, searched", "/api/reviews/?q=certificate&state=published", "api"),
        ("API incidents", "/api/incidents/", "api"),
        ("API timeline entries", "/api/timeline-entries/", "api"),
        ("API action items", "/api/action-items/", "api"),
        ("API recognitions", "/api/recognitions/", "api"),
        ("API playbook sections", "/api/playbook/sections/", "api"),
        ("API insights", f"/api/insights/?quarter={quarter}", "api"),
    ]


def count_queries(pages):
    """Queries per request, status and response size, with the test client on the same database."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    out = {}
    for name, path, _ in pages:
        client.get(path)  # warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}; the benchmark needs 200.")
        out[name] = len(queries.captured_queries)
    return out


# The server and the load ---------------------------------------------------------------


def start_server(env, workers):
    log = ROOT / "var" / "bench" / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--keep-alive",
        "5",
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ | env, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{BASE}/sign-in/", timeout=2).read()  # noqa: S310 - our loopback server
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {log}") from None
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not start; see {log}")


def stop_server(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def sign_in():
    """A real sign-in through the form: returns the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{BASE}/sign-in/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": "bench", "password": PASSWORD, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(  # noqa: S310 - our loopback server
        f"{BASE}/sign-in/", data=form.encode(), headers={"Referer": f"{BASE}/sign-in/"}
    )
    opener.open(request).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise SystemExit("Signing in failed: no session cookie.")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def check(path, cookie):
    request = urllib.request.Request(BASE + path, headers={"Cookie": cookie})  # noqa: S310 - our loopback server
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our loopback server
        if response.status != 200 or response.geturl() != BASE + path:
            raise SystemExit(f"{path}: {response.status} at {response.geturl()}")
        return len(response.read())


def load(path, cookie, seconds, connections, script="report.lua"):
    """wrk, closed loop, one thread: returns throughput and latency percentiles."""
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--header",
        f"Cookie: {cookie}",
        "--script",
        str(ROOT / "bench" / script),
        BASE + path,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    return json.loads(output.strip().splitlines()[-1])


def measure_webhooks(env, cookie, args, background):
    """The receiving endpoint under load with a real worker applying what it stores (bench/webhooks.py)."""
    from bench import webhooks

    say("Preparing the receiving endpoint (a Jira source, 50 escalations)…")
    source, bodies, first_id = webhooks.prepare()
    os.environ["BATON_WEBHOOK_BODIES"] = str(bodies)
    os.environ["BATON_BENCH_REPORT"] = str(ROOT / "bench" / "report.lua")
    worker = webhooks.start_worker(env)
    try:
        path = source.webhook_path()
        warm = load(path, cookie, 2, args.connections, "webhook.lua")
        figures = load(path, cookie, args.seconds, args.connections, "webhook.lua")
        say("  waiting for the worker to apply every delivery…")
        background["webhooks"] = webhooks.latencies(source, first_id)
        # The same worker at a steady rate it can keep up with: how soon a delivery is applied.
        from integrations.models import Delivery

        after = Delivery.objects.filter(source=source).order_by("-id").values_list("id", flat=True).first()
        rate = args.webhook_rate
        sent = webhooks.paced(path, bodies, rate, args.seconds, warm["requests"] + figures["requests"] + 100)
        background["webhooks_paced"] = {"rate": rate, "sent": sent, **webhooks.latencies(source, after)}
    finally:
        webhooks.stop_worker(worker)
        webhooks.cleanup()
    applied = background["webhooks"]
    say(
        f"  {'webhook endpoint (POST)':<26} {figures['rps']:>7.0f} req/s  p95 {figures['p95']:>6.1f} ms; "
        f"receipt to applied p95 {applied['p95_ms']} ms, {applied['within_5s']:.0%} within 5 s"
    )
    return {"name": "webhook endpoint (POST)", "path": path, "kind": "webhook", "queries": None, "bytes": 0, **figures}


# Background work ----------------------------------------------------------------------------


def time_reconcile(escalations=False):
    """The quarterly playbook reconcile over 10,000 active sections, in a transaction rolled back after."""
    from django.db import transaction

    from core.quarters import Quarter
    from demo.management.commands.seed_scale import Writer
    from playbook.models import Section, SectionVersion
    from playbook.tasks import reconcile_quarterly_cycle

    results = {}
    today = date.today()
    starts = Quarter.containing(today).start
    with transaction.atomic():
        existing = Section.objects.count()
        extra = max(0, SECTIONS_FOR_RECONCILE - existing)
        template = SectionVersion.objects.order_by("pk").first()
        owners = list(Section.objects.values_list("owner_id", flat=True))
        first_section = Section.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
        first_version = SectionVersion.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
        writer = Writer()
        now = datetime.now(UTC)
        writer.write(
            Section,
            [
                {
                    "id": first_section + i,
                    "slug": f"reconcile-{i:05d}",
                    "owner": owners[i % len(owners)],
                    "current": None,
                    "is_active": True,
                    "created_at": now,
                }
                for i in range(extra)
            ],
        )
        content = template.content()
        writer.write(
            SectionVersion,
            [
                content
                | {
                    "id": first_version + i,
                    "section": first_section + i,
                    "number": 1,
                    "revision": None,
                    "published_at": now,
                    "published_by": template.published_by_id,
                }
                for i in range(extra)
            ],
        )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE playbook_section s SET current_id = v.id FROM playbook_sectionversion v"
                " WHERE v.section_id = s.id AND s.current_id IS NULL"
            )
        sections = Section.objects.filter(is_active=True, current__isnull=False).count()
        runs = [("opening the quarter", starts), ("again, nothing to do", starts)]
        if escalations:
            runs.append(("due date passed: escalations", max(today, starts)))
        for label, day in runs:
            started = time.perf_counter()
            outcome = reconcile_quarterly_cycle(day.isoformat())
            results[label] = {"seconds": round(time.perf_counter() - started, 3), **outcome}
        transaction.set_rollback(True)
    return {"sections": sections, "runs": results}


def time_export():
    """The streamed per-incident CSV over every seeded incident: time and peak Python memory."""
    from insights.figures import ORGANISATION, Period
    from insights.snapshot import incident_rows_csv
    from reviews.models import Incident

    first = Incident.objects.order_by("escalated_at").values_list("escalated_at", flat=True).first().date()
    last = Incident.objects.order_by("-escalated_at").values_list("escalated_at", flat=True).first().date()
    period = Period(first, date.fromordinal(last.toordinal() + 1), "all")
    tracemalloc.start()
    started = time.perf_counter()
    rows, size = -1, 0
    for line in incident_rows_csv(period, "include", viewer=ORGANISATION):
        rows += 1
        size += len(line)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rows": rows, "seconds": round(seconds, 3), "megabytes": round(size / 1e6, 1), "peak_mib": peak / 2**20}


# The report ------------------------------------------------------------------------------


def table(results):
    ceiling = next(r for r in results if r["kind"] == "ceiling")["rps"]
    header = (
        f"| {'page':<26} | {'req/s':>7} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} | {'queries':>7} "
        f"| {'÷ ceiling':>9} |"
    )
    lines = [header, "|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|"]
    for r in results:
        lines.append(
            f"| {r['name']:<26} | {r['rps']:>7.0f} | {r['p50']:>7.1f} | {r['p95']:>7.1f} | {r['p99']:>7.1f} "
            f"| {r['queries'] if r['queries'] is not None else '—':>7} | {r['rps'] / ceiling:>9.2f} |"
        )
    return "\n".join(lines)


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError):
        pass
    return (
        f"{CORES} cores ({cpu}){memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=10, help="Load per page (default 10 s, after a 2 s warm-up).")
    parser.add_argument("--connections", type=int, default=8, help="Concurrent connections (default 8).")
    parser.add_argument("--workers", type=int, default=2 * CORES + 1)
    parser.add_argument("--reseed", action="store_true", help="Recreate the database even if it matches.")
    parser.add_argument(
        "--escalations", action="store_true", help="Also time the reconcile on a day every task is overdue (slow)."
    )
    parser.add_argument("--skip-background", action="store_true", help="Skip the reconcile and export timings.")
    parser.add_argument("--skip-webhooks", action="store_true", help="Skip the receiving endpoint and its worker.")
    parser.add_argument("--only-webhooks", action="store_true", help="Measure only the ceiling and the endpoint.")
    parser.add_argument(
        "--webhook-rate", type=int, default=40, help="Deliveries a second in the paced run (default 40)."
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: install Debian's 'wrk' package (make bench does so when run as root).")
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    env = environment()
    prepare_database(args.incidents, args.seed, args.reseed)
    pages = targets()
    if args.only_webhooks:
        pages = [page for page in pages if page[2] == "ceiling"]
    say("Counting queries per request…")
    queries = count_queries(pages)
    from django.db import connections

    connections.close_all()
    say(f"Starting gunicorn with {args.workers} workers on {BASE}…")
    server = start_server(env, args.workers)
    results, background = [], {}
    try:
        cookie = sign_in()
        load_avg = os.getloadavg()
        for name, path, kind in pages:
            size = check(path, cookie)
            load(path, cookie, 2, args.connections)  # warm-up: every worker has this page's code and data hot
            figures = load(path, cookie, args.seconds, args.connections)
            errors = figures["socket_errors"] + figures["timeouts"] + figures["http_errors"]
            results.append(
                {"name": name, "path": path, "kind": kind, "queries": queries[name], "bytes": size, **figures}
            )
            say(
                f"  {name:<26} {figures['rps']:>7.0f} req/s  p95 {figures['p95']:>6.1f} ms"
                + (f"  ({errors} errors)" if errors else "")
            )
        if not args.skip_webhooks:
            results.append(measure_webhooks(env, cookie, args, background))
    finally:
        stop_server(server)
    if not args.skip_background:
        say(f"Timing the quarterly reconcile for {SECTIONS_FOR_RECONCILE:,} sections…")
        background["reconcile"] = time_reconcile(args.escalations)
        say("Timing the streamed incident CSV export…")
        background["export"] = time_export()
    ceiling = next(r for r in results if r["kind"] == "ceiling")["rps"]
    for r in results:
        r["ratio"] = round(r["rps"] / ceiling, 3)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "incidents": args.incidents,
        "seed": args.seed,
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load_avg],
        "server": f"gunicorn, {args.workers} sync workers, DEBUG off, whitenoise, CONN_MAX_AGE=600",
        "load": f"wrk, 1 thread, {args.connections} connections, {args.seconds} s per page after a 2 s warm-up",
        "pages": results,
        "background": background,
    }
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"bench-{args.incidents}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    (out / f"latest-{args.incidents}.json").write_text(json.dumps(report, indent=2, default=str))
    say("")
    say(f"Baton at {args.incidents:,} incidents — {report['machine']}")
    say(f"{report['server']}; {report['load']}")
    say(table(results))
    if "reconcile" in background:
        rec = background["reconcile"]
        say(f"\nQuarterly reconcile, {rec['sections']:,} sections:")
        for label, run in rec["runs"].items():
            say(
                f"  {label:<30} {run['seconds']:>7.2f} s  (tasks created {run['tasks_created']}, "
                f"notices sent {run['notices_sent']})"
            )
        exp = background["export"]
        say(
            f"Incident CSV export (streamed): {exp['rows']:,} rows, {exp['megabytes']} MB in {exp['seconds']:.1f} s, "
            f"peak Python memory {exp['peak_mib']:.1f} MiB"
        )
    for key, label in (("webhooks", "under wrk's full load"), ("webhooks_paced", "at a steady rate")):
        if key in background:
            hooks = background[key]
            rate = f", {hooks['rate']}/s" if "rate" in hooks else ""
            say(
                f"Webhook deliveries {label}{rate}, applied by one worker: {hooks['deliveries']:,} "
                f"({', '.join(f'{n} {s}' for s, n in hooks['statuses'].items() if n)}); receipt to applied "
                f"p50 {hooks['p50_ms']} ms, p95 {hooks['p95_ms']} ms, max {hooks['max_ms']} ms; "
                f"{hooks['within_5s']:.0%} within 5 s"
            )
    say(f"\nJSON: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
