"""Baton's benchmark: ``make bench`` (``python -m bench.run --incidents N``).

1. A dedicated PostgreSQL database (``baton_bench``), migrated and filled by
   ``seed_scale`` (re-seeded only when it holds a different number of incidents).
2. The production setup: gunicorn (sync workers, 2 × cores + 1), DEBUG off,
   whitenoise with collected, compressed static files, persistent connections, and
   the shared Redis cache (``CACHE_URL``; ``BENCH_CACHE``, by default
   ``redis://127.0.0.1:6379/11``, emptied with FLUSHDB at the start and after the
   mixed run) through ``bench/cache.py``, which counts hits and misses per key prefix.
3. Four people signed in through the sign-in form (``bench/spread.py``): the
   facilitator ``bench``, ``bench-staff`` (no role), a governance owner and a
   participant. Each page gets ``--urls`` URLs made from the data, each one its
   reader may open (a random review among all of them, random list pages, filters,
   search terms, sections, version pairs, quarters…); ``bench/spread.lua`` sends
   every request to a random one with its reader's session. Some of each page's
   URLs are requested once first (``--check-all``: every one) and must answer 200;
   wrk counts any other answer during the runs. ``--fixed`` measures one fixed
   URL per page as the facilitator instead, for comparison with earlier runs.
4. wrk (one thread, 8 connections, a 2 s warm-up then ``--seconds``) against each
   page and API list in turn. The ceiling, a trivial view through the same
   middleware (``/bench/ceiling/``), is measured before the pages, after every
   ``--ceiling-every`` pages and after them; each page's ratio is to the mean
   ceiling, with the range against the slowest and fastest ceiling run. Each run's
   line carries the load average and the cache's hit rate per key prefix (counters
   emptied before the measured part of the run).
5. Queries per request for one representative URL per page (the fixed one, as the
   facilitator), counted with Django's test client on the same database.
6. The receiving endpoint with a real Celery worker (``bench/webhooks.py``).
7. The mixed run: every page's URLs in one file, read by wrk for ``--seconds``
   without writes and then again while ``bench/writes.py`` writes ``--write-rate``
   times a second through the API (timeline entries, scores, recognitions and
   seconds, playbook revisions proposed and approved; never an incident), with a
   Celery worker sending what they enqueue. It runs on a copy of the database
   (``CREATE DATABASE baton_bench_mixed TEMPLATE baton_bench``, about a second at
   10,000 incidents, dropped after), so the bench database is never changed by it;
   only if the copy cannot be made (someone else connected) do the writes go to
   ``baton_bench`` itself, which its incident count (the re-seed check) survives.
8. The quarterly playbook reconcile for 10,000 sections and the streamed
   incident CSV export, timed in this process.

Prints the pages' table and the mixed run's, and writes the same figures as JSON
under ``var/bench/``.
"""

import argparse
import contextlib
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
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "baton_bench")
MIXED_DB = f"{DB_NAME}_mixed"
CACHE = os.environ.get("BENCH_CACHE", "redis://127.0.0.1:6379/11")
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
        "CACHE_URL": CACHE,
        # The webhook and mixed runs' workers take their tasks from here (reading pages enqueues nothing).
        "CELERY_BROKER_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/12"),
        "CELERY_RESULT_BACKEND": "",
    }
    os.environ.update(env)
    return env


def say(message):
    print(message, flush=True)


# The database ------------------------------------------------------------------------


def prepare_database(incidents, seed, reseed):
    """The database, migrated and seeded; returns [(role, username)] of the people who sign in."""
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
    from django.contrib.auth.hashers import make_password

    from bench.spread import bench_users

    users = bench_users()
    get_user_model().objects.filter(username__in=[name for _, name in users]).update(password=make_password(PASSWORD))
    from django.db import connection

    with connection.cursor() as cursor:
        # As autovacuum would after a bulk load: statistics, and the visibility map that
        # index-only counts rely on. Django is in autocommit here, so VACUUM may run.
        cursor.execute("VACUUM ANALYZE")
    call_command("collectstatic", interactive=False, verbosity=0)
    return users


# What to measure -----------------------------------------------------------------------


def targets():
    """(name, path, kind) for every page and API list measured, ids taken from the data: the one
    URL of each page with ``--fixed``, else the page's representative URL (its queries and size)."""
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


def sign_in(username):
    """A real sign-in through the form: the session's Cookie header and its CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{BASE}/sign-in/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(  # noqa: S310 - our loopback server
        f"{BASE}/sign-in/", data=form.encode(), headers={"Referer": f"{BASE}/sign-in/"}
    )
    opener.open(request).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"Signing in as {username} failed: no session cookie.")
    return {"cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()), "csrf": cookies["csrftoken"]}


def check(path, cookie):
    request = urllib.request.Request(BASE + path, headers={"Cookie": cookie})  # noqa: S310 - our loopback server
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our loopback server
        if response.status != 200 or response.geturl() != BASE + path:
            raise SystemExit(f"{path}: {response.status} at {response.geturl()}")
        return len(response.read())


def check_urls(urls, sessions, users, every):
    """Request URLs of every page once (``every``: all of them, else two per page and reader):
    each must answer 200 for its reader, not a redirect (to sign-in) or an error."""
    chosen = []
    for name, rows in urls.items():
        if every:
            chosen += [(name, i, path) for i, path in dict.fromkeys(rows)]
            continue
        for i in range(len(users)):
            mine = list(dict.fromkeys(path for reader, path in rows if reader == i))
            chosen += [(name, i, path) for path in mine[:: max(1, len(mine) // 2)][:2]]

    def one(item):
        name, i, path = item
        try:
            check(path, sessions[i]["cookie"])
        except (OSError, SystemExit) as error:
            return f"{name}: {path} as {users[i][1]} ({users[i][0]}): {error}"
        return None

    with ThreadPoolExecutor(max_workers=CORES) as pool:
        failures = [failure for failure in pool.map(one, chosen) if failure]
    if failures:
        raise SystemExit("Some benchmark URLs do not answer 200:\n  " + "\n  ".join(failures[:20]))
    return len(chosen)


def load(path, cookie, seconds, connections, script="report.lua"):
    """wrk, closed loop, one thread, one URL: returns throughput and latency percentiles."""
    return wrk(BASE + path, seconds, connections, script, headers=[f"Cookie: {cookie}"])


def load_urls(urls_file, seconds, connections, seed=1):
    """wrk against the URLs in ``urls_file`` ("<reader> <path>" lines), a random one per request
    with its reader's session (bench/spread.lua)."""
    env = {"BATON_BENCH_URLS": str(urls_file), "BATON_BENCH_SEED": str(seed)}
    return wrk(BASE + "/", seconds, connections, "spread.lua", env=env)


def wrk(url, seconds, connections, script, headers=(), env=None):
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
        *[arg for header in headers for arg in ("--header", header)],
        "--script",
        str(ROOT / "bench" / script),
        url,
    ]
    run_env = os.environ | {"BATON_BENCH_REPORT": str(ROOT / "bench" / "report.lua")} | (env or {})
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=run_env).stdout  # noqa: S603
    return json.loads(output.strip().splitlines()[-1])


# The cache's counters ------------------------------------------------------------------


def cache_client():
    import redis

    return redis.Redis.from_url(CACHE, socket_connect_timeout=1, socket_timeout=2)


def flush_cache():
    """Empty the benchmark's cache database (FLUSHDB: that database only)."""
    from redis.exceptions import RedisError

    db = urllib.parse.urlsplit(CACHE).path.strip("/")
    if not db.isdigit() or db == "0":
        say(f"Not emptying the cache at {CACHE}: BENCH_CACHE must name a database of its own (not 0).")
        return
    try:
        cache_client().flushdb()
    except RedisError as error:
        say(f"The cache at {CACHE} does not answer ({error}): pages run without it.")


def reset_cache_counts():
    from redis.exceptions import RedisError

    from bench.cache import reset_counts

    with contextlib.suppress(RedisError):
        reset_counts(cache_client())


def cache_counts():
    from redis.exceptions import RedisError

    from bench.cache import read_counts

    try:
        return read_counts(cache_client())
    except RedisError:
        return None


def hit_rates(counts):
    """'insights 97% of 2,100; …' (most read first), or '—' when nothing was read from the cache."""
    if not counts:
        return "—"
    parts = []
    for prefix, c in sorted(counts.items(), key=lambda item: -(item[1]["hits"] + item[1]["misses"])):
        reads = c["hits"] + c["misses"]
        if reads:
            parts.append(f"{prefix} {c['hits'] / reads:.0%} of {reads:,}")
    return "; ".join(parts) or "—"


# The runs ------------------------------------------------------------------------------


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def write_urls(name, rows):
    folder = ROOT / "var" / "bench" / "urls"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug(name)}.txt"
    path.write_text("".join(f"{reader} {url}\n" for reader, url in rows))
    return path


def drain(figures):
    """Wait for the requests wrk left in flight (queued behind busy workers, answered to a closed
    connection) so that they weigh on no other run: about one closed-loop latency."""
    time.sleep(min(5.0, max(0.25, figures["p99"] / 1000)))


def loadavg():
    return [round(x, 2) for x in os.getloadavg()]


def measured(name, rows, args, warm):
    """One page's run: an optional warm-up, then ``--seconds`` with the cache's counters emptied
    before and read after, and the load average at the end."""
    urls_file = write_urls(name, rows)
    if warm:  # every worker has this page's code and data hot; other URLs than the run's first ones
        load_urls(urls_file, args.warmup, args.connections, args.seed + 1000)
    reset_cache_counts()
    figures = load_urls(urls_file, args.seconds, args.connections, args.seed)
    counts = cache_counts()
    figures |= {"load_average": loadavg(), "cache": counts}
    drain(figures)
    errors = figures["socket_errors"] + figures["timeouts"] + figures["http_errors"]
    trouble = []
    if errors:
        trouble.append(f"{errors} errors")
    if figures.get("not_ok"):
        trouble.append(f"{figures['not_ok']} answers not 200")
    say(
        f"  {name:<26} {figures['rps']:>7.0f} req/s  p95 {figures['p95']:>6.1f} ms  load "
        f"{' '.join(f'{x:.2f}' for x in figures['load_average'])}  cache {hit_rates(counts)}"
        + (f"  ({', '.join(trouble)})" if trouble else "")
    )
    return figures


def measure_pages(pages, urls, queries, sizes, args):
    """The pages in turn, the ceiling before them, after every ``--ceiling-every`` and after."""
    ceiling = next(page for page in pages if page[2] == "ceiling")
    others = [page for page in pages if page[2] != "ceiling"]
    step = max(1, args.ceiling_every)
    groups = [others[i : i + step] for i in range(0, len(others), step)] or [[]]
    results = []

    def run(page, label, warm):
        name, path, kind = page
        figures = measured(label, urls[name], args, warm)
        distinct = len({url for _, url in urls[name]})
        results.append(
            {
                "name": label,
                "page": name,
                "path": path,
                "kind": kind,
                "queries": queries[name],
                "bytes": sizes[name],
                "urls": len(urls[name]),
                "distinct_urls": distinct,
                **figures,
            }
        )

    run(ceiling, "ceiling 1", warm=True)
    for number, group in enumerate(groups, start=2):
        for page in group:
            run(page, page[0], warm=True)
        run(ceiling, f"ceiling {number}", warm=False)
    return results


def copy_database():
    """A copy of the bench database for the mixed run's writes; the bench database itself when
    it cannot be made (another session connected to it)."""
    import psycopg
    from django.db import connections

    connections.close_all()
    try:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{MIXED_DB}" WITH (FORCE)')
            strategy = " STRATEGY FILE_COPY" if admin.info.server_version >= 150000 else ""
            started = time.monotonic()
            admin.execute(f'CREATE DATABASE "{MIXED_DB}" TEMPLATE "{DB_NAME}"{strategy}')
            say(f"  copied {DB_NAME} to {MIXED_DB} in {time.monotonic() - started:.1f} s")
            return MIXED_DB
    except psycopg.Error as error:
        say(f"  could not copy {DB_NAME} ({str(error).strip()}): the writes go to {DB_NAME} (no incidents are created)")
        return DB_NAME


def drop_copy(database):
    import psycopg

    if database == MIXED_DB:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{MIXED_DB}" WITH (FORCE)')


def wait_for_queue(timeout=30):
    """Until the Celery queue on the benchmark's broker is empty (or ``timeout`` seconds)."""
    import redis

    broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"], socket_connect_timeout=1, socket_timeout=2)
    deadline = time.monotonic() + timeout
    while broker.llen("celery") and time.monotonic() < deadline:
        time.sleep(0.2)


def measure_mixed(urls, sessions, users, plan, args):
    """Every page's URLs in one file: read without writes, then again while writes go on."""
    from bench.writes import Writer

    rows = [row for name, page_rows in urls.items() if not name.startswith("ceiling") for row in page_rows]
    urls_file = write_urls("mixed", rows)
    # A longer warm-up: the server was restarted on the copy, and every page is in the file.
    load_urls(urls_file, max(args.warmup, 5), args.connections, args.seed + 1000)
    runs = {}
    reset_cache_counts()
    figures = load_urls(urls_file, args.seconds, args.connections, args.seed)
    runs["reads only"] = figures | {"load_average": loadavg(), "cache": cache_counts(), "writes": None}
    drain(figures)
    by_role = {role: sessions[i] for i, (role, _) in enumerate(users)}
    writer = Writer(PORT, by_role, plan, args.write_rate, args.seed)
    reset_cache_counts()
    writer.start()
    try:
        figures = load_urls(urls_file, args.seconds, args.connections, args.seed + 1)
        figures |= {"load_average": loadavg(), "cache": cache_counts()}
    finally:
        writer.stop()
    runs[f"{args.write_rate:g} writes/s"] = figures | {"writes": writer.report()}
    for name, run in runs.items():
        done = run["writes"]
        say(
            f"  {'all pages, ' + name:<26} {run['rps']:>7.0f} req/s  p95 {run['p95']:>6.1f} ms  load "
            f"{' '.join(f'{x:.2f}' for x in run['load_average'])}  cache {hit_rates(run['cache'])}"
            + (f"  writes {done['done']} done, {done['failed']} failed" if done else "")
            + (f"  ({run['not_ok']} answers not 200)" if run.get("not_ok") else "")
        )
    return {"urls": len(rows), "distinct_urls": len(set(rows)), "runs": runs}


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


def markdown(header, rows, right_from=1):
    """A Markdown table; columns from ``right_from`` on are right-aligned."""
    widths = [max(len(str(row[k])) for row in [header, *rows]) for k in range(len(header))]

    def line(cells):
        return (
            "| "
            + " | ".join(
                str(c).rjust(w) if k >= right_from else str(c).ljust(w)
                for k, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def ceiling_summary(results):
    runs = [r["rps"] for r in results if r["kind"] == "ceiling"]
    mean = sum(runs) / len(runs)
    return {"runs": [round(x, 1) for x in runs], "mean": round(mean, 1), "min": min(runs), "max": max(runs)}


def ratio_cell(r, ceiling):
    if r["kind"] == "ceiling":
        return f"{r['rps'] / ceiling['mean']:.2f}"
    return f"{r['ratio']:.2f} ({r['ratio_range'][0]:.2f}–{r['ratio_range'][1]:.2f})"


def table(results, ceiling):
    header = ["page", "req/s", "p50 ms", "p95 ms", "p99 ms", "queries", "÷ ceiling (mean)", "cache hit rate", "load"]
    rows = [
        [
            r["name"],
            f"{r['rps']:.0f}",
            f"{r['p50']:.1f}",
            f"{r['p95']:.1f}",
            f"{r['p99']:.1f}",
            r["queries"] if r["queries"] is not None else "—",
            ratio_cell(r, ceiling),
            hit_rates(r.get("cache")),
            f"{r['load_average'][0]:.2f}" if r.get("load_average") else "—",
        ]
        for r in results
    ]
    return markdown(header, rows)


def mixed_table(mixed, ceiling):
    header = [
        "mixed run",
        "reads/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "÷ ceiling (mean)",
        "writes",
        "cache hit rate",
        "load",
    ]
    rows = []
    for name, r in mixed["runs"].items():
        writes = r["writes"]
        rows.append(
            [
                "all pages, " + name,
                f"{r['rps']:.0f}",
                f"{r['p50']:.1f}",
                f"{r['p95']:.1f}",
                f"{r['p99']:.1f}",
                f"{r['rps'] / ceiling['mean']:.2f} ({r['rps'] / ceiling['max']:.2f}–{r['rps'] / ceiling['min']:.2f})",
                f"{writes['per_second']:.1f}/s, {writes['failed']} failed" if writes else "—",
                hit_rates(r["cache"]),
                f"{r['load_average'][0]:.2f}",
            ]
        )
    return markdown(header, rows)


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
    parser.add_argument("--seed", type=int, default=1, help="Seed of the data, the URLs and wrk's choices.")
    parser.add_argument("--seconds", type=int, default=10, help="Load per page (default 10 s, after a warm-up).")
    parser.add_argument("--warmup", type=int, default=2, help="Warm-up before each page (default 2 s).")
    parser.add_argument("--connections", type=int, default=8, help="Concurrent connections (default 8).")
    parser.add_argument("--workers", type=int, default=2 * CORES + 1)
    parser.add_argument("--fixed", action="store_true", help="One fixed URL per page, as the facilitator.")
    parser.add_argument("--urls", type=int, default=1000, help="URLs per page made from the data (default 1,000).")
    parser.add_argument("--check-all", action="store_true", help="Request every URL once before loading (slow).")
    parser.add_argument(
        "--ceiling-every", type=int, default=4, help="Measure the ceiling again after this many pages (default 4)."
    )
    parser.add_argument("--write-rate", type=float, default=3, help="Writes a second in the mixed run (default 3).")
    parser.add_argument("--skip-mixed", action="store_true", help="Skip the mixed run (reads while writing).")
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
    flush_cache()
    users = prepare_database(args.incidents, args.seed, args.reseed)
    pages = targets()
    if args.only_webhooks:
        pages = [page for page in pages if page[2] == "ceiling"]
    say("Counting queries per request…")
    queries = count_queries(pages)
    if args.fixed:
        urls = {name: [(0, path)] for name, path, _ in pages}
    else:
        from bench.spread import plan

        say(f"Making {args.urls:,} URLs per page for {', '.join(f'{name} ({role})' for role, name in users)}…")
        urls = plan(users, [name for name, _, _ in pages], args.urls, args.seed)
    mixed = None
    if not (args.skip_mixed or args.only_webhooks):
        from bench.writes import prepare as prepare_writes

        writes_plan = prepare_writes(users)
    from django.db import connections

    connections.close_all()
    say(f"Starting gunicorn with {args.workers} workers on {BASE}…")
    server = start_server(env, args.workers)
    results, background, mixed_database = [], {}, None
    cookies_file = ROOT / "var" / "bench" / "cookies.txt"
    try:
        sessions = [sign_in(name) for _, name in users]
        cookies_file.write_text("".join(session["cookie"] + "\n" for session in sessions))
        os.environ["BATON_BENCH_COOKIES"] = str(cookies_file)
        sizes = {name: check(path, sessions[0]["cookie"]) for name, path, _ in pages}
        if not args.fixed:
            checked = check_urls(urls, sessions, users, args.check_all)
            say(f"  {checked:,} of the URLs requested once: each answered 200 for its reader.")
        load_avg = loadavg()
        results = measure_pages(pages, urls, queries, sizes, args)
        if not args.skip_webhooks:
            hooks = measure_webhooks(env, sessions[0]["cookie"], args, background)
            results.append(hooks | {"load_average": loadavg(), "cache": None})
        if not (args.skip_mixed or args.only_webhooks):
            say(f"Mixed run: every page's URLs, without writes, then with {args.write_rate:g} writes a second…")
            stop_server(server)
            mixed_database = copy_database()
            mixed_env = env | {
                "DATABASE_URL": f"{PG}/{mixed_database}",
                # Many recognitions by one person in a few seconds: the daily limit would refuse them.
                "RECOGNITION_DAILY_LIMIT": "1000000",
            }
            server = start_server(mixed_env, args.workers)
            from bench import webhooks

            worker = webhooks.start_worker(mixed_env)  # sends the mail the writes enqueue, as in production
            try:
                mixed = measure_mixed(urls, sessions, users, writes_plan, args)
                mixed["database"] = mixed_database
                wait_for_queue()  # what the writes enqueued is sent now, not by a later run's worker
            finally:
                webhooks.stop_worker(worker)
    finally:
        stop_server(server)
        cookies_file.unlink(missing_ok=True)
        if mixed_database:
            drop_copy(mixed_database)
            flush_cache()  # what the copy's pages cached
    if not args.skip_background:
        say(f"Timing the quarterly reconcile for {SECTIONS_FOR_RECONCILE:,} sections…")
        background["reconcile"] = time_reconcile(args.escalations)
        say("Timing the streamed incident CSV export…")
        background["export"] = time_export()
    ceiling = ceiling_summary(results)
    for r in results:
        r["ratio"] = round(r["rps"] / ceiling["mean"], 3)
        r["ratio_range"] = [round(r["rps"] / ceiling["max"], 3), round(r["rps"] / ceiling["min"], 3)]
    if mixed:
        for run in mixed["runs"].values():
            run["ratio"] = round(run["rps"] / ceiling["mean"], 3)
            run["ratio_range"] = [round(run["rps"] / ceiling["max"], 3), round(run["rps"] / ceiling["min"], 3)]
    spread = (
        "one fixed URL per page, as the facilitator"
        if args.fixed
        else f"{args.urls:,} URLs per page from the data, readers: "
        + ", ".join(f"{name} ({role})" for role, name in users)
    )
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "incidents": args.incidents,
        "seed": args.seed,
        "machine": machine(),
        "load_average_before": load_avg,
        "server": f"gunicorn, {args.workers} sync workers, DEBUG off, whitenoise, CONN_MAX_AGE=600, Redis cache",
        "load": (
            f"wrk, 1 thread, {args.connections} connections, {args.seconds} s per page after a "
            f"{args.warmup} s warm-up; {spread}"
        ),
        "mode": "fixed" if args.fixed else "spread",
        "users": [{"role": role, "username": name} for role, name in users],
        "ceiling": ceiling,
        "pages": results,
        "mixed": mixed,
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
    low, high = ceiling["min"] / ceiling["mean"] - 1, ceiling["max"] / ceiling["mean"] - 1
    say(
        f"Ceiling: {len(ceiling['runs'])} runs, mean {ceiling['mean']:.0f} req/s, "
        f"{ceiling['min']:.0f}–{ceiling['max']:.0f} ({low:+.0%} … {high:+.0%}); a page's range is "
        "page ÷ fastest … page ÷ slowest ceiling run. Load: the 1-minute load average after each run "
        f"(the benchmark's own processes included; {CORES} cores)."
    )
    say(table(results, ceiling))
    troubled = [r for r in results if r.get("not_ok") or r.get("http_errors") or r.get("socket_errors")]
    for r in troubled:
        say(
            f"  {r['name']}: {r.get('not_ok') or 0} answers not 200, {r['http_errors']} HTTP errors, "
            f"{r['socket_errors']} socket errors"
        )
    if mixed:
        say(
            f"\nMixed run: {mixed['urls']:,} URLs ({mixed['distinct_urls']:,} distinct) of every page, "
            f"on {mixed['database']}"
        )
        say(mixed_table(mixed, ceiling))
        for name, run in mixed["runs"].items():
            writes = run["writes"]
            if not writes:
                continue
            kinds = ", ".join(
                f"{kind} {c['done']}" + (f" ({c['failed']} failed)" if c["failed"] else "")
                for kind, c in writes["by_kind"].items()
            )
            say(
                f"Writes ({name}): {writes['done']} done, {writes['failed']} failed in {writes['seconds']} s — "
                f"{kinds}; latency p50 {writes['p50_ms']} ms, p95 {writes['p95_ms']} ms"
            )
            for error in writes["errors"][:3]:
                say(f"  {error}")
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
