"""Single requests, profiled: ``python -m bench.profile --incidents N`` (after ``make bench``
has made the database).

For each page the benchmark measures (the fixed URL, as the facilitator), with Django's
test client on the bench database, production settings and a per-process cache:

- the median time of 15 requests with every cache emptied before each (what a page costs
  when nothing it shows was kept), and of 15 with the cache kept (what a reader gets when
  nothing changed since);
- the SQL: queries, their time, and PostgreSQL's planning time for them (each query run
  again under ``EXPLAIN (ANALYZE, SUMMARY)``; the best of three);
- the rest: Python (the ORM building queries and rows, forms, templates).

Prints a Markdown table.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": f"{PG}/{os.environ.get('BENCH_DB', 'baton_bench')}",
            "DEBUG": "false",
            "SECRET_KEY": "profile-only-" + "x" * 40,
            "SECURE_HTTPS": "false",
            "ALLOWED_HOSTS": "testserver",
            "BATON_VAR_DIR": "var/bench",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "600",
            "CACHE_URL": "locmemcache://profile",
            "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        }
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.run import targets
    from reviews.models import Incident

    held = Incident.objects.count()
    if held != args.incidents:
        raise SystemExit(f"The bench database holds {held} incidents, not {args.incidents}: run make bench first.")
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    rows = []
    for name, path, kind in targets():
        if kind == "ceiling":
            continue
        client.get(path)

        def median(clear, path=path):
            times = []
            for _ in range(args.repeat):
                if clear:
                    cache.clear()
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")
            return statistics.median(times)

        fresh, kept = median(True), median(False)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        planning = executing = 0.0
        with connection.cursor() as cursor:
            for query in queries.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                best = None
                for _ in range(3):
                    cursor.execute("EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) " + sql)
                    plan = cursor.fetchone()[0][0]
                    times = (plan["Planning Time"], plan["Execution Time"])
                    best = times if best is None or sum(times) < sum(best) else best
                planning += best[0]
                executing += best[1]
        sql = planning + executing
        rows.append((name, fresh, kept, len(queries.captured_queries), sql, planning, max(fresh - sql, 0)))
    print(f"Single requests at {args.incidents:,} incidents (median of {args.repeat}; ms)\n")
    print("| page | nothing cached | cache kept | queries | SQL (of it planning) | the rest (Python) |")
    print("|---|---|---|---|---|---|")
    for name, fresh, kept, count, sql, planning, rest in rows:
        print(f"| {name} | {fresh:.1f} | {kept:.1f} | {count} | {sql:.1f} ({planning:.1f}) | {rest:.1f} |")


if __name__ == "__main__":
    main()
