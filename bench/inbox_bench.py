"""Staff inbox, request page and tracking page with many requests in the database (one process).

    DATABASE_URL=postgres://…/layanan_bench_inbox .venv/bin/python bench/inbox_bench.py \
        --db postgres://…/layanan_bench_inbox --rows 1000000

Run by bench/requests_bench.py against a throwaway database. Migrates it, loads the five seed
agencies (layanan.demo.loader.load_all), generates the requests (bench/inbox_generate.py),
then times the pages in-process through django.test.Client with DEBUG off (server time:
time.perf_counter() around client.get, after a warm-up), logged in as the head of the
biggest agency, whole-agency scope (`?lingkup=instansi`, the default "open" tab):

- inbox.first_page: /kelola/permohonan/?lingkup=instansi
- inbox.deep_page: the URL reached by following "Halaman berikutnya" (the keyset cursor)
  DEEP_PAGES pages in from the first page, timed as such
- request_page: /kelola/permohonan/<pk>/ of random requests of that agency
- tracking_page: /lacak/<code>/<secret>/ of random requests of any agency (anonymous)

Each page is timed `--requests` times (1,000; quick 200), unless the warm-up shows that this
would take more than MAX_SECONDS_PER_PAGE: a page that far over budget is timed on fewer
requests (at least MIN_TIMED) and a `#` line says so.

Query counts (CaptureQueriesContext, one page of each) are printed as `….queries`. When a
budget is MISSED, EXPLAIN (ANALYZE, BUFFERS) of the slowest queries of that page goes to stderr.
Exit status: 0 all budgets ok, 1 a budget MISSED, 2 error.
"""

import argparse
import html
import os
import random
import re
import statistics
import sys
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench.budget import Report, percentile, timed_gets  # noqa: E402

BUDGETS = {
    "inbox.first_page.p95": ("<=", 50, "ms"),
    "inbox.deep_page.p95": ("<=", 50, "ms"),
    "request_page.p95": ("<=", 50, "ms"),
    "tracking_page.p95": ("<=", 20, "ms"),
}
DEEP_PAGES = 50
WARMUP = 20
# A page far over its budget (the open tab without a usable index takes ~1 s at 1,000,000
# requests) is timed on fewer requests, so that `make bench` still ends: at most this many
# seconds per page, never fewer than MIN_TIMED requests. A note says so.
MAX_SECONDS_PER_PAGE = 90
MIN_TIMED = 100
NEXT_LINK = re.compile(r'rel="next" href="([^"]+)"')


def explain_slowest(connection, client, url, title, top=3):
    """EXPLAIN ANALYZE the slowest queries of one GET of `url` (stderr)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)[:top]
    print(f"--- EXPLAIN ANALYZE: {title} ({url}) ---", file=sys.stderr)
    with connection.cursor() as cursor:
        for q in queries:
            print(f"\n[{float(q['time']) * 1000:.1f} ms] {q['sql']}", file=sys.stderr)
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                print("\n".join(row[0] for row in cursor.fetchall()), file=sys.stderr)
    sys.stderr.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database URL (a throwaway database!)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, help="timed requests per page (default 1000, quick 200)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args(argv)
    n = args.requests or (200 if args.quick else 1000)

    os.environ["DATABASE_URL"] = args.db
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layanan.settings")
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.inbox_generate import generate_requests
    from layanan.accounts.models import Position
    from layanan.accounts.roles import Role
    from layanan.agencies.models import Agency
    from layanan.demo.loader import load_all
    from layanan.requests.models import OPEN_STATES, Request

    assert not settings.DEBUG, "DEBUG must be off for a benchmark"
    report = Report(BUDGETS)
    connection.ensure_connection()
    version = connection.pg_version if connection.vendor == "postgresql" else 0
    print(f"# inbox: PostgreSQL {version // 10000}.{version % 10000} · {args.rows:,} requests · "
          f"{n} requests per page · Django test client, in-process", flush=True)

    call_command("migrate", interactive=False, verbosity=0)
    load_all()
    existing = Request.objects.count()
    if existing >= args.rows:
        biggest = max(Agency.objects.annotate(n=Count("services")), key=lambda a: a.n).code
        result = {"biggest": biggest}
        report.note(f"{existing:,} requests already in the database (--reuse): not regenerated")
    else:
        result = generate_requests(args.rows - existing, seed=args.seed)
        report.bench("inbox.generate.time", result["seconds"], "s")
        phases = result["phases"]
        report.note(f"{result['requests']:,} requests, {result['events']:,} events: COPY "
                    f"{phases['copy']:.0f} s, indexes {phases['indexes']:.0f} s, "
                    f"VACUUM ANALYZE {phases['vacuum']:.0f} s")

    head_position = (Position.objects.filter(role=Role.HEAD, user__agency__code=result["biggest"])
                     .select_related("user", "user__agency").first())
    head, agency = head_position.user, head_position.user.agency
    in_agency = Request.objects.filter(agency=agency)
    report.note(f"logged in as {head.username} (head of {agency.code}): {in_agency.count():,} requests, "
                f"{in_agency.filter(state__in=list(OPEN_STATES)).count():,} open")

    rng = random.Random(args.seed)
    client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["127.0.0.1"])[0])
    client.force_login(head)
    first_url = "/kelola/permohonan/?lingkup=instansi"

    url, pages = first_url, 1
    for _ in range(DEEP_PAGES):
        response = client.get(url)
        found = NEXT_LINK.search(response.content.decode())
        if response.status_code != 200 or not found:
            break
        url, pages = html.unescape(found.group(1)), pages + 1
        if not url.startswith("/"):
            url = "/kelola/permohonan/" + url
    deep_url = url
    report.note(f"deep page: page {pages} of the open tab (keyset cursor {deep_url.split('setelah=')[-1]})")

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM requests_request WHERE agency_id = %s ORDER BY random() LIMIT %s",
                       [agency.pk, n])
        request_urls = [f"/kelola/permohonan/{row[0]}/" for row in cursor.fetchall()]
        cursor.execute("SELECT tracking_code, tracking_secret FROM requests_request "
                       "ORDER BY random() LIMIT %s", [n])
        tracking_urls = [f"/lacak/{code}/{secret}/" for code, secret in cursor.fetchall()]
    rng.shuffle(request_urls)
    public = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["127.0.0.1"])[0])

    pages_to_time = [
        ("inbox.first_page", client, [first_url] * n),
        ("inbox.deep_page", client, [deep_url] * n),
        ("request_page", client, request_urls),
        ("tracking_page", public, tracking_urls),
    ]
    load_before = os.getloadavg()[0]
    for name, c, urls in pages_to_time:
        warm = statistics.median(timed_gets(c, urls[:WARMUP])[0])
        affordable = max(MIN_TIMED, int(MAX_SECONDS_PER_PAGE * 1000 / warm))
        if affordable < len(urls):
            report.note(f"{name}: {warm:.0f} ms per page in the warm-up: timing {affordable} requests, "
                        f"not {len(urls)} (at most {MAX_SECONDS_PER_PAGE} s per page)")
            urls = urls[:affordable]
        times, _sizes = timed_gets(c, urls)
        report.bench(f"{name}.p50", statistics.median(times), "ms")
        report.bench(f"{name}.p95", percentile(times, 95), "ms")
        with CaptureQueriesContext(connection) as captured:
            c.get(urls[0])
        report.bench(f"{name}.queries", len(captured.captured_queries), "count", fmt="{:d}")
        if f"{name}.p95" in report.missed:
            explain_slowest(connection, c, urls[0], name)
    load = max(load_before, os.getloadavg()[0])
    report.note(f"load average {load:.1f} on {os.cpu_count()} cores during the timing")
    if report.missed:
        report.note(f"MISSED: {', '.join(report.missed)} (EXPLAIN ANALYZE on stderr)")
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as exc:
        import traceback

        traceback.print_exc()
        print(f"error: {type(exc).__name__}: {exc}", flush=True)
        sys.exit(2)
