"""Satisfaction survey benchmarks on PostgreSQL (issue 10): the IKM of a region over a year with
1,000,000 answers in it, and the time to submit one answer.

    .venv/bin/python bench/survey_bench.py            # 1,000,000 answers (+10 % elsewhere and before)
    .venv/bin/python bench/survey_bench.py --quick    # 100,000 answers, 100,000 requests
    .venv/bin/python bench/survey_bench.py --keep     # keep the layanan_bench_survey database

A throwaway database `layanan_bench_survey` (BENCH_POSTGRES_URL names the server, default
postgres://postgres@127.0.0.1:5432/; only names starting with `layanan_bench` are created and
dropped) is migrated and gets the five seed agencies (layanan.demo.loader.load_all); the region of
ORGANISASI-KEDIRI gets nine more agencies with one service each. Then:

- answers: N in that region over one year (the year before this one), spread over the ten
  agencies' services and the days of the year, plus N/10 in the other regions and the year before
  (so the filter has something to skip), written with COPY; the table's secondary indexes are
  dropped before and rebuilt after; then the day totals (survey/rollups.py — the application keeps
  them in each answer's transaction) are computed once with `rollups.rebuild_daily()`, and VACUUM
  ANALYZE (as autovacuum would);
- delivered requests (the population of the Krejcie–Morgan minimum): as many, copied in SQL from
  one real request (`INSERT … SELECT … generate_series`), resolved or closed over the same year;
  their population rows (kept from Request's post_save in the application) with
  `rollups.rebuild_delivered()`.

Figures (`bench:` lines, DESIGN §3), timed in-process with DEBUG off:

- `skm.ikm_region_year.ms`: `layanan.survey.queries.ikm_summary(region_id=…, start=1 Jan, end=31 Dec)`
  — the nine sums and counts in one aggregate query over the day totals plus the population count
  — the median of RUNS calls after WARMUP; budget ≤ 1,000 ms. `skm.ikm_region_year_raw.ms` is the
  same aggregate straight over the answers table (no rollup), for comparison. `#` lines give the
  two queries' share and the slowest call.
- `skm.submit.p95`: POST of the kiosk questionnaire (/kiosk/<token>/, nine answers, the profile, a
  fresh form token each time) through django.test.Client, server time; budget ≤ 50 ms.
- `skm.generate.s`: time to write the rows (not a product figure).

Exit status: 0 ok, 1 a budget MISSED, 2 an error.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench.budget import Report, percentile  # noqa: E402
from bench.inbox_generate import _drop_indexes  # noqa: E402

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/layanan_bench"
DB_NAME = "layanan_bench_survey"
BUDGETS = {
    "skm.ikm_region_year.ms": ("<=", 1000, "ms"),
    "skm.submit.p95": ("<=", 50, "ms"),
}
REGION_AGENCY = "ORGANISASI-KEDIRI"
EXTRA_AGENCIES = 9
CHUNK = 100_000
WARMUP, RUNS = 2, 7
SUGGESTIONS = [
    "Ruang tunggu panas, mohon kipas angin.",
    "Petugas ramah dan cepat.",
    "Persyaratan mohon dipasang di papan informasi.",
    "Antrean terlalu lama.",
    "Parkir sempit.",
    "Terima kasih, pelayanan memuaskan.",
]


# ---------------------------------------------------------------- the outer process: the database


def outer(args) -> int:
    from bench.requests_bench import drop_database, postgres_unreachable, recreate_database

    server = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG)
    print("backend: postgresql (survey)", flush=True)
    reason = postgres_unreachable(server)
    if reason:
        print(f"skip: survey benchmarks — postgresql {reason}", flush=True)
        return 0
    url = recreate_database(server, DB_NAME)
    import tempfile

    tmp = tempfile.mkdtemp(prefix="layanan-bench-survey-")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LAYANAN_VAR_DIR": tmp,
        "MEDIA_ROOT": str(Path(tmp) / "media"),
        "DEBUG": "0",
        "LAYANAN_DEV": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HUEY_IMMEDIATE": "0",
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",
    }
    env.pop("REDIS_URL", None)
    env.pop("EMAIL_HOST", None)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--inner", "--answers", str(args.answers)]
    try:
        return subprocess.run(cmd, cwd=BASE_DIR, env=env).returncode
    finally:
        subprocess.run(["rm", "-rf", tmp], check=False)
        if not args.keep:
            drop_database(server, DB_NAME)


# ---------------------------------------------------------------- the inner process: data and timings


def make_region():
    """Nine more agencies (one service each) in the region of ORGANISASI-KEDIRI."""
    from layanan.agencies.models import Agency
    from layanan.standards.models import Service

    home = Agency.objects.get(code=REGION_AGENCY)
    for i in range(1, EXTRA_AGENCIES + 1):
        agency, _created = Agency.objects.get_or_create(
            code=f"BENCH-SKM-{i:02d}",
            defaults={"region": home.region, "name": f"Dinas Uji Survei {i}", "timezone": home.timezone},
        )
        Service.objects.get_or_create(
            agency=agency, code="layanan-umum", defaults={"name": "Layanan umum", "kind": "other"}
        )
    return home.region


def generate_answers(n_region: int, n_elsewhere: int, year: int, region, seed: int = 10) -> dict:
    """COPY answers into survey_surveyresponse; returns the counts and the time."""
    from django.db import connection, transaction

    from layanan.standards.models import Service
    from layanan.survey import rollups

    rng = random.Random(seed)
    in_region = list(
        Service.objects.filter(agency__region=region).values_list(
            "id", "agency_id", "agency__region_id", "unit_id"
        )
    )
    elsewhere = list(
        Service.objects.exclude(agency__region=region).values_list(
            "id", "agency_id", "agency__region_id", "unit_id"
        )
    )
    columns = [
        "agency_id",
        "region_id",
        "service_id",
        "unit_id",
        "channel",
        "answered_at",
        "answered_on",
        "u1",
        "u2",
        "u3",
        "u4",
        "u5",
        "u6",
        "u7",
        "u8",
        "u9",
        "sex",
        "age_band",
        "education",
        "occupation",
        "suggestion",
        "created_at",
    ]
    channels = ["web", "kiosk", "kiosk", "paper"]
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute(
            "SET LOCAL session_replication_role = replica"
        )  # FK triggers: consistent by construction
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        rebuild = _drop_indexes(cursor, "survey_surveyresponse")
        for total, services, years in (
            (n_region, in_region, (year,)),
            (n_elsewhere, elsewhere, (year, year - 1)),
        ):
            for first in range(0, total, CHUNK):
                size = min(CHUNK, total - first)
                lines = []
                for _i in range(size):
                    service_id, agency_id, region_id, unit_id = rng.choice(services)
                    day = date(rng.choice(years), 1, 1) + timedelta(days=rng.randrange(365))
                    moment = datetime(
                        day.year, day.month, day.day, 1 + rng.randrange(9), rng.randrange(60), tzinfo=UTC
                    )
                    base = rng.choice((2, 3, 3, 3, 4, 4))
                    scores = [min(4, max(1, base + rng.choice((-1, 0, 0, 0, 1)))) for _c in range(9)]
                    suggestion = rng.choice(SUGGESTIONS) if rng.random() < 0.1 else ""
                    lines.append(
                        "\t".join(
                            [
                                str(agency_id),
                                str(region_id),
                                str(service_id),
                                str(unit_id) if unit_id else r"\N",
                                rng.choice(channels),
                                moment.isoformat(),
                                day.isoformat(),
                                *map(str, scores),
                                str(rng.randint(1, 2)),
                                str(rng.randint(1, 6)),
                                str(rng.randint(1, 7)),
                                str(rng.randint(1, 6)),
                                suggestion,
                                moment.isoformat(),
                            ]
                        )
                        + "\n"
                    )
                with cursor.copy(f"COPY survey_surveyresponse ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write("".join(lines))
        t_index = time.perf_counter()
        for definition in rebuild:
            cursor.execute(definition)
    t_rollup = time.perf_counter()
    # The day totals record_answer keeps with each answer, here computed once for the COPYed rows.
    rows = rollups.rebuild_daily()
    t_vacuum = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE survey_surveyresponse")
        cursor.execute("VACUUM ANALYZE survey_dailytotal")
    end = time.perf_counter()
    return {
        "seconds": end - start,
        "copy": t_index - start,
        "indexes": t_rollup - t_index,
        "rollup": t_vacuum - t_rollup,
        "rollup_rows": rows,
        "vacuum": end - t_vacuum,
    }


def generate_requests(n: int, year: int, region) -> dict:
    """Delivered requests of the region in `year`, copied in SQL from one real request."""
    from django.db import connection, transaction

    from layanan.agencies.models import Agency
    from layanan.requests import lifecycle
    from layanan.requests.models import Request
    from layanan.standards.models import Service
    from layanan.survey import rollups

    start = time.perf_counter()
    service = Service.objects.filter(agency__code=REGION_AGENCY, published_standard__isnull=False).first()
    template, _created = lifecycle.submit(
        standard=service.published_standard,
        channel="web",
        subject="Konsultasi penyusunan SOP",
        applicant={
            "applicant_name": "Warga Uji",
            "applicant_nik": "3506015507900002",
            "applicant_phone": "+6281330001111",
            "applicant_email": "warga@example.id",
            "applicant_address": "Jl. Veteran 1, Kediri",
        },
        description="Dengan hormat, kami mohon bimbingan penyusunan SOP. " * 3,
    )
    agency_ids = list(Agency.objects.filter(region=region).order_by("id").values_list("id", flat=True))
    columns = [f.column for f in Request._meta.concrete_fields if f.column != "id"]
    override = {
        "agency_id": f"(ARRAY{agency_ids})[1 + g %% {len(agency_ids)}]",
        "tracking_code": "r.tracking_code || '-' || g",
        "idempotency_key": "NULL",
        "state": "CASE WHEN g %% 4 = 0 THEN 'resolved' ELSE 'closed' END",
        "current_step_id": "NULL",
        "resolved_at": f"timestamptz '{year}-01-01 02:00+00' + (g %% 365) * interval '1 day'",
        "closed_at": f"timestamptz '{year}-01-01 03:00+00' + (g %% 365) * interval '1 day'",
    }
    select = ", ".join(override.get(c, f"r.{c}") for c in columns)
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute(
            "SET LOCAL session_replication_role = replica"
        )  # FK triggers: consistent by construction
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        rebuild = _drop_indexes(cursor, "requests_request") + _drop_indexes(cursor, "survey_deliveredrequest")
        cursor.execute(
            f"INSERT INTO requests_request ({', '.join(columns)}) SELECT {select} "  # noqa: S608
            f"FROM requests_request r, generate_series(1, %s) g WHERE r.id = %s",
            [n, template.pk],
        )
        t_rollup = time.perf_counter()
        # The rows Request's post_save keeps for each delivery, here computed once for the copied rows.
        rows = rollups.rebuild_delivered()
        t_index = time.perf_counter()
        for definition in rebuild:
            cursor.execute(definition)
    t_vacuum = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE requests_request")
        cursor.execute("VACUUM ANALYZE survey_deliveredrequest")
    end = time.perf_counter()
    return {
        "seconds": end - start,
        "delivered": rows,
        "insert": t_rollup - start,
        "rollup": t_index - t_rollup,
        "indexes": t_vacuum - t_index,
        "vacuum": end - t_vacuum,
    }


def raw_totals(region_id, start, end):
    """The region-year aggregate over the answers themselves (what the rollup spares)."""
    from django.db.models import Count, Sum

    from layanan.survey.models import SurveyResponse

    aggregates = {
        "n": Count("id"),
        **{f"s{i}": Sum(f"u{i}") for i in range(1, 10)},
        **{f"c{i}": Count(f"u{i}") for i in range(1, 10)},
    }
    return SurveyResponse.objects.filter(
        region_id=region_id, answered_on__gte=start, answered_on__lte=end
    ).aggregate(**aggregates)


def time_ikm(report, region, year):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from layanan.survey.queries import ikm_summary

    start, end = date(year, 1, 1), date(year, 12, 31)
    for _i in range(WARMUP):
        summary = ikm_summary(region_id=region.pk, start=start, end=end)
    times = []
    for _i in range(RUNS):
        t0 = time.perf_counter()
        summary = ikm_summary(region_id=region.pk, start=start, end=end)
        times.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as captured:
        ikm_summary(region_id=region.pk, start=start, end=end)
    queries = list(captured.captured_queries)
    reset_queries()
    report.bench("skm.ikm_region_year.ms", statistics.median(times), "ms")
    raw = []
    for _i in range(3):
        t0 = time.perf_counter()
        raw_totals(region.pk, start, end)
        raw.append((time.perf_counter() - t0) * 1000)
    report.bench("skm.ikm_region_year_raw.ms", statistics.median(raw), "ms")
    report.note(
        f"ikm_region_year: {summary.respondents:,} respondents, population {summary.population:,}, "
        f"IKM {summary.converted_rounded} ({summary.category}); median of {RUNS}, slowest "
        f"{max(times):.0f} ms; queries: " + ", ".join(f"{float(q['time']) * 1000:.0f} ms" for q in queries)
    )
    if os.environ.get("BENCH_EXPLAIN"):
        with connection.cursor() as cursor:
            for q in queries:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                print(q["sql"][:300], "\n" + "\n".join(r[0] for r in cursor.fetchall()), file=sys.stderr)
    return summary


def time_submit(report, n: int):
    from django.conf import settings
    from django.test import Client

    from layanan.accounts.models import User
    from layanan.standards.models import Service
    from layanan.survey import services
    from layanan.survey.models import SurveyResponse

    desk = User.objects.get(username="kediri.petugas")
    service = Service.objects.filter(agency__code=REGION_AGENCY).first()
    client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["127.0.0.1"])[0])
    rng = random.Random(3)
    before = SurveyResponse.objects.count()
    times = []
    url = ""
    for i in range(n + 20):
        if i % 100 == 0:  # a kiosk takes at most SURVEY_KIOSK_RATE (120/h): another tablet
            url = services.kiosk_path(services.start_kiosk(desk, service))
            assert 'name="form_token"' in client.get(url).content.decode(), "the kiosk page has no form"
        data = {f"u{k}": str(rng.randint(1, 4)) for k in range(1, 10)}
        data.update({"sex": "1", "age_band": "3", "education": "4", "occupation": "5",
                     "suggestion": "Cepat." if i % 7 == 0 else "", "form_token": services.new_form_token()})
        t0 = time.perf_counter()
        response = client.post(url, data)
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status_code != 302:
            raise RuntimeError(f"kiosk POST answered {response.status_code}")
        if i >= 20:  # warm-up
            times.append(elapsed)
    stored = SurveyResponse.objects.count() - before
    report.bench("skm.submit.p95", percentile(times, 95), "ms")
    report.note(
        f"submit: {len(times)} timed POSTs (p50 {percentile(times, 50):.1f} ms), {stored} answers stored"
    )


def inner(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layanan.settings")
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from layanan.demo.loader import load_all

    assert not settings.DEBUG, "DEBUG must be off for a benchmark"
    report = Report(BUDGETS)
    connection.ensure_connection()
    version = connection.pg_version
    n = args.answers
    year = date.today().year - 1
    print(
        f"# survey: PostgreSQL {version // 10000}.{version % 10000} · {n:,} answers in one region × {year} "
        f"(+{n // 10:,} elsewhere) · {n:,} delivered requests",
        flush=True,
    )
    call_command("migrate", interactive=False, verbosity=0)
    load_all()
    region = make_region()
    answers = generate_answers(n, n // 10, year, region)
    requests = generate_requests(n, year, region)
    report.bench("skm.generate.s", answers["seconds"] + requests["seconds"], "s")
    report.note(
        f"generate: answers COPY {answers['copy']:.0f} s, indexes {answers['indexes']:.0f} s, "
        f"day totals {answers['rollup']:.0f} s ({answers['rollup_rows']:,} rows), VACUUM ANALYZE "
        f"{answers['vacuum']:.0f} s; requests INSERT {requests['insert']:.0f} s, delivered rows "
        f"{requests['rollup']:.0f} s ({requests['delivered']:,}), indexes {requests['indexes']:.0f} s, "
        f"VACUUM ANALYZE {requests['vacuum']:.0f} s"
    )
    time_ikm(report, region, year)
    time_submit(report, 100 if args.answers < 1_000_000 else 300)
    if report.missed:
        print(f"# MISSED: {', '.join(report.missed)}", flush=True)
        return 1
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 answers")
    parser.add_argument("--answers", type=int, help="answers in the region × year (default 1,000,000)")
    parser.add_argument("--keep", action="store_true", help="keep the layanan_bench_survey database")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.answers = args.answers or (100_000 if args.quick else 1_000_000)
    if args.inner:
        try:
            return inner(args)
        except Exception as exc:  # noqa: BLE001 — one clear line for bench/run.py
            import traceback

            traceback.print_exc()
            print(f"error: survey: {type(exc).__name__}: {exc}", flush=True)
            return 2
    return outer(args)


if __name__ == "__main__":
    sys.exit(main())
