"""The JSON API with many requests in the database, on PostgreSQL (issue 9 "Done means").

    .venv/bin/python bench/api_bench.py            # 1,000,000 requests, 1,000 timed list calls
    .venv/bin/python bench/api_bench.py --quick    # 50,000 requests, 200 timed list calls

A throwaway database `layanan_bench_api` (BENCH_POSTGRES_URL names the server) is created, migrated,
gets the five seed agencies and the requests of bench/inbox_generate.py (the inbox benchmark's
generator), then — in a second process, because settings read DATABASE_URL at import time —
the API is timed in-process through django.test.Client with DEBUG off (server time around
client.get/post: middleware, key check, rate limit, queries, serialisation):

- api.requests_list.p50 / .p95: GET /api/v1/requests with a desk key of the biggest agency's head
  (all states, due order, 25 rows), alternating the first page and pages reached through the
  cursor (next_cursor) up to DEEP_PAGES in; budget p95 <= 50 ms.
- api.requests_create.per_s: POST /api/v1/requests (DPMPTSP-BANGLI's complaint, the web form's
  validation, each with its own Idempotency-Key) one after another for CREATE_SECONDS: requests
  created per second by one web process.

Exit status: 0 ok, 1 a budget MISSED, 2 an error; `skip:` when PostgreSQL is unreachable.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench.budget import Report, percentile, timed_gets  # noqa: E402

API_DB = "layanan_bench_api"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/layanan_bench"
BUDGETS = {"api.requests_list.p95": ("<=", 50, "ms")}
DEEP_PAGES = 40
WARMUP = 20
COMPLAINT = {
    "agency": "DPMPTSP-BANGLI",
    "service": "pengaduan-masyarakat",
    "name": "Ni Made Sari",
    "nik": "5106014101900003",
    "phone": "081238669450",
    "address": "Jl. Merdeka 1, Bangli",
    "subject": "Loket tutup pada jam layanan",
    "description": "Loket tutup pukul 10.00.",
    "consent": True,
}


def outer(args) -> int:
    """Create the database, run the measurement in a child process, drop the database."""
    from bench.requests_bench import app_env, drop_database, postgres_unreachable, recreate_database

    server = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG)
    print("backend: postgresql (api)", flush=True)
    reason = postgres_unreachable(server)
    if reason:
        print(f"skip: postgresql {reason}", flush=True)
        return 0
    url = recreate_database(server, API_DB)
    tmp = tempfile.mkdtemp(prefix="layanan-bench-api-")
    try:
        env = app_env(url, tmp)
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--inner",
            "--db",
            url,
            "--rows",
            str(args.rows or (50_000 if args.quick else 1_000_000)),
        ]
        if args.quick:
            cmd.append("--quick")
        return subprocess.run(cmd, cwd=BASE_DIR, env=env).returncode
    finally:
        subprocess.run(["rm", "-rf", tmp], check=False)
        if not args.keep:
            drop_database(server, API_DB)


def inner(args) -> int:
    os.environ["DATABASE_URL"] = args.db
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layanan.settings")
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.inbox_generate import generate_requests
    from layanan.accounts.models import Position
    from layanan.accounts.roles import Role
    from layanan.api.models import ApiKey, Scope
    from layanan.demo.loader import load_all
    from layanan.requests.models import Request

    assert not settings.DEBUG, "DEBUG must be off for a benchmark"
    # One client process makes every call: the per-key and per-address limits are not what is measured.
    settings.API_KEY_RATE = settings.API_PUBLIC_RATE = settings.API_PUBLIC_CREATE_RATE = "100000000/m"
    n = 200 if args.quick else 1000
    create_seconds = 3.0 if args.quick else 10.0
    report = Report(BUDGETS)
    connection.ensure_connection()
    version = connection.pg_version
    report.note(
        f"api: PostgreSQL {version // 10000}.{version % 10000} · {args.rows:,} requests · "
        f"{n} timed list calls · Django test client, in-process"
    )
    call_command("migrate", interactive=False, verbosity=0)
    load_all()
    result = generate_requests(args.rows, verbose=False)
    report.note(
        f"api: {result['requests']:,} requests and {result['events']:,} events generated in "
        f"{result['seconds']:.0f} s (bench/inbox_generate.py)"
    )

    head = (
        Position.objects.filter(role=Role.HEAD, user__agency__code=result["biggest"])
        .select_related("user", "user__agency")
        .first()
        .user
    )
    _key, raw = ApiKey.issue(agency=head.agency, name="bench", scope=Scope.DESK, staff_user=head)
    host = (settings.ALLOWED_HOSTS or ["127.0.0.1"])[0]
    client = Client(HTTP_HOST=host, HTTP_X_API_KEY=raw)
    report.note(
        f"api: desk key acting as {head.username} (head of {head.agency.code}, "
        f"{Request.objects.filter(agency=head.agency).count():,} requests)"
    )

    urls, url = ["/api/v1/requests"], "/api/v1/requests"
    for _ in range(DEEP_PAGES):
        page = client.get(url)
        if page.status_code != 200 or not page.json()["next_cursor"]:
            break
        url = f"/api/v1/requests?cursor={page.json()['next_cursor']}"
        urls.append(url)
    report.note(f"api: list pages 1..{len(urls)} through next_cursor, timed in turn")
    for u in urls[:WARMUP]:
        client.get(u)
    times, _sizes = timed_gets(client, [urls[i % len(urls)] for i in range(n)])
    report.bench("api.requests_list.p50", statistics.median(times), "ms")
    report.bench("api.requests_list.p95", percentile(times, 95), "ms")

    public = Client(HTTP_HOST=host)
    before = Request.objects.count()
    for _ in range(5):  # warm-up
        public.post(
            "/api/v1/requests",
            COMPLAINT,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
    made, start = 0, time.perf_counter()
    while time.perf_counter() - start < create_seconds:
        response = public.post(
            "/api/v1/requests",
            COMPLAINT,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        if response.status_code != 201:
            raise RuntimeError(
                f"POST /api/v1/requests answered {response.status_code}: {response.content[:300]}"
            )
        made += 1
    elapsed = time.perf_counter() - start
    report.bench("api.requests_create.per_s", made / elapsed, "req/s")
    created = Request.objects.count() - before
    report.note(
        f"api: {made} created in {elapsed:.1f} s by one process ({created} rows, "
        f"{'ok' if created == made + 5 else 'MISMATCH'}); load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    if report.missed:
        report.note(f"MISSED: {', '.join(report.missed)}")
        return 1
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50,000 requests, 200 timed calls")
    parser.add_argument("--rows", type=int, help="requests in the database (default 1,000,000)")
    parser.add_argument("--keep", action="store_true", help="keep the layanan_bench_api database")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    return inner(args) if args.inner else outer(args)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as exc:  # noqa: BLE001
        import traceback

        traceback.print_exc()
        print(f"error: {type(exc).__name__}: {exc}", flush=True)
        sys.exit(2)
