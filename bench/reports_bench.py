"""Reports benchmarks on PostgreSQL (issue 11): the region dashboard and the monthly evaluation report
with 1,000,000 requests in the database.

    .venv/bin/python bench/reports_bench.py              # 1,000,000 requests
    .venv/bin/python bench/reports_bench.py --quick      # 100,000 requests
    .venv/bin/python bench/reports_bench.py --keep       # keep layanan_bench_reports afterwards
    .venv/bin/python bench/reports_bench.py --reuse      # time a kept database again (no generation)

A throwaway database `layanan_bench_reports` (BENCH_POSTGRES_URL names the server) is migrated and
gets the five seed agencies (layanan.demo.loader.load_all); then `generate()` below writes the
requests with COPY: 60 % in ORGANISASI-KEDIRI (the region the overseer reads; every seed region
has one agency), 10 % in each other seed agency, over the last three years, states as a working
office has them (3 % open, most closed, some rejected or withdrawn), durations around each
standard's promised time (≈ 15 % late), with the facts the reports read: one `Resolution` per
finished request, the timeline events (arrival, finish, and for a late request a staff note as its
cause), open pauses of requests waiting on the applicant, compensation tasks of seed 004's breaches.
Indexes are dropped during the load and rebuilt after it, then VACUUM ANALYZE (as autovacuum would).

Timed in-process through django.test.Client with DEBUG off (server time around client.get):

- reports.dashboard: /kelola/laporan/daerah/ as kediri.overseer, over a mix of filters (this month,
  last month, four channels, five services, a custom 30 days) — budget p95 ≤ 200 ms; the
  dashboards keep their scans in the shared cache (queries._cached), so this is what a user of a
  busy office sees;
- reports.dashboard.cold: the same with the cache emptied before every page (every figure from
  the database) — budget p95 ≤ 200 ms too;
- reports.agency_dashboard(.cold): /kelola/laporan/ as the head (kediri.kabag), the same mix
  (with the lists of breaches and their notes);
- reports.dashboard_quarter.cold / _year.cold: the region dashboard over the last quarter / this
  year, cold (context, no budget);
- reports.monthly.ms: one monthly evaluation report of ORGANISASI-KEDIRI for last month, made from
  scratch (figures, XLSX, PDF, stored) — the slowest of three runs; budget ≤ 2,000 ms.

Exit status: 0 all budgets ok, 1 a budget MISSED, 2 error. When a budget is MISSED, EXPLAIN
(ANALYZE, BUFFERS) of the slowest queries goes to stderr.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench.budget import Report, percentile, timed_gets  # noqa: E402
from bench.inbox_generate import _drop_indexes  # noqa: E402

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/layanan_bench"
DB_NAME = "layanan_bench_reports"
BUDGETS = {
    "reports.dashboard.p95": ("<=", 200, "ms"),
    "reports.dashboard.cold.p95": ("<=", 200, "ms"),
    "reports.monthly.ms": ("<=", 2000, "ms"),
}
CHUNK = 50_000
REGION_AGENCY = "ORGANISASI-KEDIRI"
REGION_SHARE = 0.60
# A request whose work is not done yet is open; of the others, as a working office finishes them.
OPEN_STATES_W = [("received", 30), ("in_progress", 55), ("waiting_applicant", 15)]
DONE_STATES_W = [("resolved", 100), ("closed", 810), ("rejected", 50), ("withdrawn", 40)]
STALE = 0.003  # finished long ago by the clock, still open (a forgotten request)
OPEN = {"received", "in_progress", "waiting_applicant"}
CHANNELS = [
    ("web", 40),
    ("counter", 25),
    ("whatsapp", 10),
    ("email", 6),
    ("phone", 6),
    ("letter", 6),
    ("suggestion_box", 2),
    ("social_media", 3),
    ("lapor", 2),
]
SUBJECTS = [
    "Antrean loket terlalu lama",
    "Permohonan data penduduk per kecamatan",
    "Izin usaha belum terbit",
    "Konsultasi penyusunan SOP",
    "Informasi anggaran",
    "Petugas tidak ramah",
    "Jalan rusak",
    "Bantuan sosial belum diterima",
    "Salinan dokumen",
    "Evaluasi jabatan",
]
CAUSES = [
    "Menunggu tanda tangan Kepala Bagian yang sedang dinas luar.",
    "Data dari OPD pemohon belum lengkap; sudah diminta ulang.",
    "Petugas pelaksana cuti; berkas dialihkan.",
    "Sistem aplikasi gangguan dua hari.",
    "Perlu koordinasi dengan bidang terkait.",
]
N = "\\N"
WORKDAY_MIN = 510  # 8.5 h


# ---------------------------------------------------------------- the database


def db_url(server: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{DB_NAME}"))


def admin(server: str):
    import psycopg

    return psycopg.connect(
        urlunsplit(urlsplit(server)._replace(path="/postgres")), autocommit=True, connect_timeout=5
    )


def recreate(server: str) -> None:
    from psycopg import sql

    with admin(server) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))


def drop(server: str) -> None:
    from psycopg import sql

    with admin(server) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME)))


def exists(server: str) -> bool:
    with admin(server) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone() is not None


# ---------------------------------------------------------------- generation


def _ts(dt: datetime) -> str:
    return dt.isoformat(sep=" ")


def _promise_days(std) -> float | None:
    """The standard's promised time in working days (roughly, for generating durations)."""
    unit, high = std.duration_unit, std.duration_max
    if not unit or unit == "none" or high is None:
        return None
    return {
        "minute": high / WORKDAY_MIN,
        "hour": high * 60 / WORKDAY_MIN,
        "working_day": high,
        "day": high * 5 / 7,
        "week": high * 5,
        "month": high * 21,
        "year": high * 250,
    }.get(unit)


def _metadata():
    from layanan.agencies.models import Agency, Unit
    from layanan.standards.models import APPLICANT, EXTERNAL, Service, Step

    agencies = []
    for agency in Agency.objects.order_by("code"):
        services = []
        for svc in (
            Service.objects.filter(agency=agency, published_standard__isnull=False)
            .select_related("published_standard")
            .order_by("id")
        ):
            std = svc.published_standard
            steps = list(
                Step.objects.filter(standard=std)
                .order_by("position")
                .values("id", "position", "unit_id", "role", "action")
            )
            work = [s for s in steps if s["role"] not in (APPLICANT, EXTERNAL)] or steps
            services.append(
                {
                    "id": svc.pk,
                    "standard": std.pk,
                    "kind": svc.kind,
                    "unit": svc.unit_id,
                    "promise": _promise_days(std),
                    "steps": steps,
                    "work": work,
                    "compensation": bool(std.compensation_on_breach),
                }
            )
        units = list(Unit.objects.filter(agency=agency).values_list("id", flat=True))
        if services:
            agencies.append({"id": agency.pk, "code": agency.code, "services": services, "units": units})
    return agencies


def _required(cursor, table) -> set[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    return {r[0] for r in cursor.fetchall()}


REQUEST_COLUMNS = [
    "id",
    "agency_id",
    "service_id",
    "standard_id",
    "kind",
    "channel",
    "applicant_type",
    "confidential",
    "applicant_name",
    "applicant_nik",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "organisation_name",
    "letter_number",
    "letter_signatory",
    "subject",
    "description",
    "state",
    "current_step_id",
    "assigned_unit_id",
    "clock_started_at",
    "due_at",
    "at_risk_at",
    "sla_status",
    "tracking_code",
    "tracking_secret",
    "product_text",
    "reject_reason",
    "version",
    "created_at",
    "updated_at",
    "resolved_at",
    "closed_at",
    "location_text",
    "applicant_id_type",
    "extended_days",
    "whatsapp_consent",
]
RESOLUTION_COLUMNS = [
    "request_id",
    "agency_id",
    "service_id",
    "standard_id",
    "unit_id",
    "kind",
    "channel",
    "outcome",
    "created_at",
    "started_at",
    "finished_at",
    "due_at",
    "breached",
    "office_minutes",
    "working_days",
    "late_days",
]
EVENT_COLUMNS = [
    "request_id",
    "at",
    "actor_label",
    "action",
    "from_state",
    "to_state",
    "from_step",
    "to_step",
    "note",
    "public",
    "data",
    "actor_kind",
    "actor_role",
]


def generate(n: int, *, seed: int = 20261130, verbose: bool = True) -> dict:
    """Write n requests with their resolutions, events, pauses and compensation tasks (COPY)."""
    from django.db import connection, transaction

    start = time.perf_counter()
    rng = random.Random(seed)
    agencies = _metadata()
    region = next(a for a in agencies if a["code"] == REGION_AGENCY)
    others = [a for a in agencies if a is not region]
    weights = [REGION_SHARE if a is region else (1 - REGION_SHARE) / len(others) for a in agencies]
    open_names, open_w = zip(*OPEN_STATES_W, strict=True)
    done_names, done_w = zip(*DONE_STATES_W, strict=True)
    channel_names, channel_w = zip(*CHANNELS, strict=True)
    now = datetime.now(UTC).replace(microsecond=0)
    span = 3 * 365 * 86400
    oldest = now - timedelta(seconds=span)
    counts = {"requests": 0, "resolutions": 0, "events": 0, "pauses": 0, "compensation": 0}
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        for table, columns in (
            ("requests_request", REQUEST_COLUMNS),
            ("reports_resolution", RESOLUTION_COLUMNS),
            ("requests_event", EVENT_COLUMNS),
        ):
            missing = _required(cursor, table) - set(columns) - {"id"}
            if missing:
                raise RuntimeError(f"reports_bench does not fill {table}.{', '.join(sorted(missing))}")
        cursor.execute("SELECT coalesce(max(id), 0) FROM requests_request")
        next_id = cursor.fetchone()[0] + 1
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        rebuild = [
            d
            for table in ("requests_request", "requests_event", "reports_resolution", "reports_withdrawal")
            for d in _drop_indexes(cursor, table)
        ]
        t_copy = time.perf_counter()
        for first in range(0, n, CHUNK):
            size = min(CHUNK, n - first)
            req, res, ev, pauses, comp, wd = [], [], [], [], [], []
            chosen = rng.choices(agencies, weights=weights, k=size)
            channels = rng.choices(channel_names, weights=channel_w, k=size)
            # Requests arrive in time order (ids follow arrival, as in production): this chunk is
            # the next slice of the three years.
            lo, hi = span * first / n, span * (first + size) / n
            arrivals = sorted(rng.uniform(lo, hi) for _i in range(size))
            for i in range(size):
                rid = next_id + first + i
                agency, channel = chosen[i], channels[i]
                svc = rng.choice(agency["services"])
                promise = svc["promise"]
                base = promise if promise else 10.0
                work_days = (
                    base * rng.uniform(0.15, 1.25) if rng.random() > 0.05 else base * rng.uniform(1.2, 3)
                )
                calendar_days = max(work_days, 0.02) * 7 / 5
                created = oldest + timedelta(seconds=arrivals[i])
                if created + timedelta(days=calendar_days) > now or rng.random() < STALE:
                    state = rng.choices(open_names, weights=open_w)[0]
                else:
                    state = rng.choices(done_names, weights=done_w)[0]
                is_open = state in OPEN
                due = created + timedelta(days=promise * 7 / 5) if promise else None
                finished = created + timedelta(days=calendar_days)
                late = bool(due and finished > due)
                step = rng.choice(svc["work"]) if is_open else None
                unit = (
                    (step and step["unit_id"])
                    or svc["unit"]
                    or (rng.choice(agency["units"]) if agency["units"] else None)
                )
                resolved_at = finished if state in ("resolved", "closed") else None
                closed_at = (
                    finished + timedelta(days=2)
                    if state == "closed"
                    else finished
                    if state == "rejected"
                    else created + timedelta(days=calendar_days * rng.uniform(0.1, 0.9))
                    if state == "withdrawn"
                    else None
                )
                if closed_at and closed_at > now:
                    closed_at = now
                if is_open:
                    sla = "breached" if due and due <= now else "on_time"
                else:
                    sla = "breached" if late and state in ("resolved", "closed", "rejected") else "on_time"
                updated = closed_at or resolved_at or created
                subject = f"{SUBJECTS[rid % len(SUBJECTS)]} ({rid})"
                req.append(
                    "\t".join(
                        (
                            str(rid),
                            str(agency["id"]),
                            str(svc["id"]),
                            str(svc["standard"]),
                            svc["kind"],
                            channel,
                            "person",
                            "f",
                            "Warga Uji",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            subject,
                            "Uraian permohonan.",
                            state,
                            str(step["id"]) if step else N,
                            str(unit) if unit else N,
                            _ts(created),
                            _ts(due) if due else N,
                            _ts(created + (due - created) * 0.75) if due else N,
                            sla,
                            f"{agency['code']}-{created.year}-B{rid:09d}",
                            "s" * 16,
                            "Jawaban disampaikan." if resolved_at else "",
                            "Bukan kewenangan." if state == "rejected" else "",
                            "3",
                            _ts(created),
                            _ts(updated),
                            _ts(resolved_at) if resolved_at else N,
                            _ts(closed_at) if closed_at else N,
                            "",
                            "",
                            "0",
                            "f",
                        )
                    )
                    + "\n"
                )
                ev.append(
                    f"{rid}\t{_ts(created)}\t\treceived\t\treceived\t\\N\t\\N\t"
                    f"Permohonan diterima.\tt\t{{}}\tapplicant\tapplicant\n"
                )
                if state in ("resolved", "closed", "rejected"):
                    outcome = "rejected" if state == "rejected" else "resolved"
                    res.append(
                        "\t".join(
                            (
                                str(rid),
                                str(agency["id"]),
                                str(svc["id"]),
                                str(svc["standard"]),
                                str(svc["unit"] or unit) if (svc["unit"] or unit) else N,
                                svc["kind"],
                                channel,
                                outcome,
                                _ts(created),
                                _ts(created),
                                _ts(finished),
                                _ts(due) if due else N,
                                "t" if late else "f",
                                str(int(work_days * WORKDAY_MIN)),
                                f"{work_days:.4f}",
                                f"{(finished - due).total_seconds() / 86400 * 5 / 7:.4f}" if late else "0",
                            )
                        )
                        + "\n"
                    )
                    rejected = outcome == "rejected"
                    action, to_state = ("reject", "rejected") if rejected else ("deliver", "resolved")
                    ev.append(
                        f"{rid}\t{_ts(finished)}\tPetugas\t{action}\tin_progress\t{to_state}\t"
                        f"\\N\t\\N\t\tt\t{{}}\tstaff\thandler\n"
                    )
                    if late:
                        ev.append(
                            f"{rid}\t{_ts(finished - timedelta(hours=2))}\tKepala Sub Bagian\tnote\t\t\t\\N\t"
                            f"\\N\t{rng.choice(CAUSES)}\tf\t{{}}\tstaff\tunit_head\n"
                        )
                        if svc["compensation"]:
                            comp.append(
                                f"{rid}\tDiantar ke tempat tinggal pemohon.\t{_ts(due)}\t"
                                f"{_ts(finished) if rng.random() < 0.8 else N}\t\n"
                            )
                if state == "withdrawn":
                    unit_id = svc["unit"] or unit
                    wd.append(
                        f"{rid}\t{agency['id']}\t{svc['id']}\t{unit_id if unit_id else N}\t{svc['kind']}\t"
                        f"{channel}\t{_ts(created)}\t{_ts(closed_at)}\n"
                    )
                if state == "waiting_applicant":
                    pauses.append(f'{rid}\t{_ts(created + timedelta(hours=3))}\t\\N\t["Fotokopi KTP"]\n')
            with cursor.copy(f"COPY requests_request ({', '.join(REQUEST_COLUMNS)}) FROM STDIN") as copy:
                copy.write("".join(req))
            with cursor.copy(f"COPY reports_resolution ({', '.join(RESOLUTION_COLUMNS)}) FROM STDIN") as copy:
                copy.write("".join(res))
            with cursor.copy(f"COPY requests_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
                copy.write("".join(ev))
            if wd:
                with cursor.copy(
                    "COPY reports_withdrawal (request_id, agency_id, service_id, unit_id, kind, channel, "
                    "created_at, withdrawn_at) FROM STDIN"
                ) as c:
                    c.write("".join(wd))
            if pauses:
                with cursor.copy(
                    "COPY requests_pause (request_id, started_at, ended_at, missing) FROM STDIN"
                ) as c:
                    c.write("".join(pauses))
            if comp:
                with cursor.copy(
                    "COPY requests_compensationtask (request_id, promise, created_at, done_at, note) "
                    "FROM STDIN"
                ) as c:
                    c.write("".join(comp))
            counts["requests"] += size
            counts["resolutions"] += len(res)
            counts["events"] += len(ev)
            counts["pauses"] += len(pauses)
            counts["compensation"] += len(comp)
            if verbose:
                print(
                    f"# generated {first + size:,} requests ({time.perf_counter() - start:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
        t_index = time.perf_counter()
        for definition in rebuild:
            cursor.execute(definition)
        for table in (
            "requests_request",
            "requests_event",
            "reports_resolution",
            "reports_withdrawal",
            "requests_pause",
            "requests_compensationtask",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        cursor.execute("SET LOCAL session_replication_role = origin")
    t_vacuum = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (
            "requests_request",
            "requests_event",
            "reports_resolution",
            "reports_withdrawal",
            "requests_pause",
            "requests_compensationtask",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    end = time.perf_counter()
    return {
        **counts,
        "seconds": end - start,
        "phases": {"copy": t_index - t_copy, "indexes": t_vacuum - t_index, "vacuum": end - t_vacuum},
    }


# ---------------------------------------------------------------- timing


def explain_slowest(connection, client, url, title, top=3):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)[:top]
    print(f"--- EXPLAIN ANALYZE: {title} ({url}) ---", file=sys.stderr)
    with connection.cursor() as cursor:
        for q in queries:
            print(f"\n[{float(q['time']) * 1000:.1f} ms] {q['sql']}", file=sys.stderr)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()), file=sys.stderr)


def run(args) -> int:
    server = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG)
    url = db_url(server)
    media = tempfile.mkdtemp(prefix="layanan-bench-reports-")
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "0",
            "MEDIA_ROOT": media,
            "LAYANAN_VAR_DIR": media,
            "HUEY_IMMEDIATE": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layanan.settings")
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from layanan.accounts.models import User
    from layanan.agencies.models import Agency
    from layanan.demo.loader import load_all
    from layanan.reports import periods, services
    from layanan.reports.forms import today_in
    from layanan.reports.models import EvaluationReport
    from layanan.requests.models import Request
    from layanan.standards.models import Service

    assert not settings.DEBUG, "DEBUG must be off for a benchmark"
    report = Report(BUDGETS)
    rows = 100_000 if args.quick else args.rows
    call_command("migrate", interactive=False, verbosity=0)
    load_all()
    version = connection.pg_version
    existing = Request.objects.count()
    if existing >= rows:
        report.note(f"{existing:,} requests already in {DB_NAME} (--reuse): not regenerated")
    else:
        result = generate(rows - existing)
        report.bench("reports.generate.time", result["seconds"], "s")
        p = result["phases"]
        report.note(
            f"{result['requests']:,} requests, {result['resolutions']:,} resolutions, {result['events']:,} "
            f"events, {result['pauses']:,} pauses, {result['compensation']:,} compensation tasks: COPY "
            f"{p['copy']:.0f} s, indexes {p['indexes']:.0f} s, VACUUM ANALYZE {p['vacuum']:.0f} s"
        )
    agency = Agency.objects.get(code=REGION_AGENCY)
    in_region = Request.objects.filter(agency__region=agency.region).count()
    today = today_in(agency.timezone)
    this_month, last_month = periods.containing("month", today), periods.previous("month", today)
    month_requests = Request.objects.filter(
        agency=agency,
        created_at__gte=last_month.bounds(agency.timezone)[0],
        created_at__lt=last_month.bounds(agency.timezone)[1],
    ).count()
    report.note(
        f"PostgreSQL {version // 10000}.{version % 10000} · {Request.objects.count():,} requests, "
        f"{in_region:,} in the region of {REGION_AGENCY} ({month_requests:,} received last month) · "
        f"Django test client, in-process"
    )

    services_mix = list(
        Service.objects.filter(agency=agency, published_standard__isnull=False)
        .order_by("position")
        .values_list("pk", flat=True)
    )[:5]
    custom = f"dari={(today - timedelta(days=29)).isoformat()}&sampai={today.isoformat()}"
    mix = ["", "?periode=bulan-lalu", f"?{custom}"]
    mix += [f"?periode=bulan-lalu&kanal={c}" for c, _w in CHANNELS[:4]]
    mix += [f"?periode=bulan-lalu&layanan={pk}" for pk in services_mix]
    n = 100 if args.quick else args.requests
    rng = random.Random(1)
    overseer = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["127.0.0.1"])[0])
    overseer.force_login(User.objects.get(username="kediri.overseer"))
    head = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["127.0.0.1"])[0])
    head.force_login(User.objects.get(username="kediri.kabag"))
    # "cold": the shared cache emptied before every page — every figure computed from the database.
    pages = [
        (
            "reports.dashboard",
            overseer,
            "/kelola/laporan/daerah/",
            [rng.choice(mix) for _i in range(n)],
            False,
        ),
        (
            "reports.dashboard.cold",
            overseer,
            "/kelola/laporan/daerah/",
            [rng.choice(mix) for _i in range(n // 2)],
            True,
        ),
        ("reports.agency_dashboard", head, "/kelola/laporan/", [rng.choice(mix) for _i in range(n)], False),
        (
            "reports.agency_dashboard.cold",
            head,
            "/kelola/laporan/",
            [rng.choice(mix) for _i in range(n // 2)],
            True,
        ),
        (
            "reports.dashboard_quarter.cold",
            overseer,
            "/kelola/laporan/daerah/",
            ["?periode=triwulan-lalu"] * 10,
            True,
        ),
        (
            "reports.dashboard_year.cold",
            overseer,
            "/kelola/laporan/daerah/",
            ["?periode=tahun-ini"] * 10,
            True,
        ),
    ]
    from django.core.cache import cache

    def cold_gets(client, urls):
        times = []
        for url in urls:
            cache.clear()
            times += timed_gets(client, [url])[0]
        return times, []

    for name, client, path, queries, cold in pages:
        urls = [path + q for q in queries]
        timed_gets(client, urls[:5])  # warm-up
        times, _sizes = (cold_gets if cold else timed_gets)(client, urls)
        report.bench(f"{name}.p50", statistics.median(times), "ms")
        report.bench(f"{name}.p95", percentile(times, 95) if len(times) > 2 else max(times), "ms")
        with CaptureQueriesContext(connection) as captured:
            client.get(urls[0])
        report.bench(f"{name}.queries", len(captured.captured_queries), "count", fmt="{:d}")
        if f"{name}.p95" in report.missed:
            worst = max(set(urls), key=lambda u: timed_gets(client, [u])[0][0])
            explain_slowest(connection, client, worst, name)

    runs = []
    phases = []
    EvaluationReport.objects.filter(agency=agency, period_start=last_month.start).delete()
    t0 = time.perf_counter()
    services.ensure(
        agency, EvaluationReport.Kind.MONTHLY, last_month, services=[]
    )  # warm-up (fonts, imports)
    cold = (time.perf_counter() - t0) * 1000
    for _i in range(3):
        EvaluationReport.objects.filter(
            agency=agency, kind=EvaluationReport.Kind.MONTHLY, period_start=last_month.start
        ).delete()
        t0 = time.perf_counter()
        made = services.ensure(agency, EvaluationReport.Kind.MONTHLY, last_month, services=[])
        runs.append((time.perf_counter() - t0) * 1000)
        phases.append(made)
    report.bench("reports.monthly.ms", max(runs), "ms")
    last = phases[-1]
    t = last.figures["totals"]
    report.note(
        f"monthly report {last_month.label} of {REGION_AGENCY} (all services): first (cold process) "
        f"{cold:.0f} ms, then runs "
        + ", ".join(f"{r:.0f} ms" for r in runs)
        + f"; {t['received']:,} received, {t['finished']:,} finished, "
        f"{len(last.figures['breaches']['rows'])} breaches listed; XLSX {last.xlsx.size / 1000:.0f} KB, "
        f"PDF {last.pdf.size / 1000:.0f} KB"
    )
    if "reports.monthly.ms" in report.missed:
        from layanan.reports.services import compute_figures

        with CaptureQueriesContext(connection) as captured:
            compute_figures(phases[-1])
        for q in sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)[:3]:
            print(f"[{float(q['time']) * 1000:.1f} ms] {q['sql']}", file=sys.stderr)
    report.note(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    _ = this_month
    return 1 if report.missed else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 requests, 100 timed pages")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300, help="timed pages per dashboard (default 300)")
    parser.add_argument("--keep", action="store_true", help=f"keep {DB_NAME}")
    parser.add_argument("--reuse", action="store_true", help=f"reuse a kept {DB_NAME} (implies --keep)")
    args = parser.parse_args(argv)
    server = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG)
    print("backend: postgresql (reports)", flush=True)
    try:
        import psycopg

        admin(server).close()
    except Exception as exc:  # noqa: BLE001 — unreachable or no driver: say so and skip
        print(f"skip: reports benchmarks — postgresql unreachable ({type(exc).__name__}: {exc})", flush=True)
        return 0
    del psycopg
    if not (args.reuse and exists(server)):
        recreate(server)
    try:
        return run(args)
    except Exception as exc:  # noqa: BLE001
        import traceback

        traceback.print_exc()
        print(f"error: {type(exc).__name__}: {exc}", flush=True)
        return 2
    finally:
        if not (args.keep or args.reuse):
            from django.db import connections

            connections.close_all()
            drop(server)


if __name__ == "__main__":
    sys.exit(main())
