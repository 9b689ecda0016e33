"""`make bench`: deadline throughput, the public portal on SQLite and on PostgreSQL, then the
requests benchmarks on PostgreSQL (intake throughput, web worker memory, the staff inbox with
1,000,000 requests: bench/requests_bench.py), each in a throwaway database.

    .venv/bin/python bench/run.py            # 500 agencies × 50 services, 1,000 requests per page
    .venv/bin/python bench/run.py --quick    # 50 × 20, 200 requests (development)

Never touches var/layanan.sqlite3 nor the PostgreSQL databases of the tests:
SQLite lives in a temporary folder (LAYANAN_VAR_DIR and DATABASE_URL point
there), PostgreSQL in a database of its own (`layanan_bench`, created and
dropped here; BENCH_POSTGRES_URL overrides the server). Each backend runs in
its own process (bench/portal.py) because settings read DATABASE_URL at
import time. If PostgreSQL is unreachable that backend is skipped with a
`skip:` line. Exit status: 0 ok, 1 a budget MISSED or an error.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PORTAL = Path(__file__).resolve().parent / "portal.py"
SLA = Path(__file__).resolve().parent / "sla_bench.py"
REQUESTS = Path(__file__).resolve().parent / "requests_bench.py"
API = Path(__file__).resolve().parent / "api_bench.py"
CHANNELS = Path(__file__).resolve().parent / "channels_bench.py"
SURVEY = Path(__file__).resolve().parent / "survey_bench.py"
REPORTS = Path(__file__).resolve().parent / "reports_bench.py"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/layanan_bench"


def run_backend(name: str, db_url: str, var_dir: str, extra: list[str]) -> int:
    env = {**os.environ, "DATABASE_URL": db_url, "LAYANAN_VAR_DIR": var_dir, "DEBUG": "0",
           "PYTHONUNBUFFERED": "1"}
    env.pop("REDIS_URL", None)  # the portal pages do not need it; keep the run self-contained
    cmd = [sys.executable, str(PORTAL), "--backend", name, "--db", db_url, *extra]
    return subprocess.run(cmd, cwd=BASE_DIR, env=env).returncode


def sqlite_backend(extra) -> int:
    tmp = tempfile.mkdtemp(prefix="layanan-bench-sqlite-")
    try:
        return run_backend("sqlite", f"sqlite:///{tmp}/bench.sqlite3", tmp, extra)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def postgres_backend(url: str, extra, keep: bool) -> int:
    parts = urlsplit(url)
    dbname = parts.path.lstrip("/")
    if not dbname.startswith("layanan_bench"):
        print(f"error: refusing to use PostgreSQL database {dbname!r}: its name must start "
              "with 'layanan_bench' (it is dropped and re-created)", flush=True)
        return 2
    try:
        import psycopg
        from psycopg import sql
    except ImportError as exc:
        print("backend: postgresql", flush=True)
        print(f"skip: postgresql — psycopg not importable ({exc})", flush=True)
        return 0
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        print("backend: postgresql", flush=True)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"skip: postgresql unreachable at {parts.hostname}:{parts.port or 5432} ({reason})",
              flush=True)
        return 0
    ident = sql.Identifier(dbname)
    tmp = tempfile.mkdtemp(prefix="layanan-bench-pg-")
    try:
        with admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(ident))
        return run_backend("postgresql", url, tmp, extra)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not keep:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 × 20 region, 200 requests per page")
    parser.add_argument("--backend", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--keep", action="store_true", help="keep the layanan_bench PostgreSQL database")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the pages (stderr)")
    parser.add_argument("--requests", type=int, help="requests per page (default 1000, quick 200)")
    args = parser.parse_args(argv)
    extra = (["--quick"] if args.quick else []) + (["--profile"] if args.profile else [])
    if args.requests:
        extra += ["--requests", str(args.requests)]

    start = time.perf_counter()
    codes = {"sla": subprocess.run([sys.executable, str(SLA), "20000" if args.quick else "100000"],
                                   cwd=BASE_DIR).returncode}
    if args.backend in ("all", "sqlite"):
        codes["sqlite"] = sqlite_backend(extra)
        # The WhatsApp webhook (issue 8): answer time and nothing lost, in its own throwaway SQLite.
        codes["channels"] = subprocess.run(
            [sys.executable, str(CHANNELS), *(["--quick"] if args.quick else [])], cwd=BASE_DIR).returncode
    if args.backend in ("all", "postgresql"):
        codes["postgresql"] = postgres_backend(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG),
                                               extra, args.keep)
        # Intake, web worker memory, inbox with 1,000,000 requests (quick: 50,000): PostgreSQL only.
        codes["requests"] = subprocess.run(
            [sys.executable, str(REQUESTS), *(["--quick"] if args.quick else []),
             *(["--keep"] if args.keep else [])], cwd=BASE_DIR).returncode
        # The JSON API with 1,000,000 requests (quick: 50,000): bench/api_bench.py.
        codes["api"] = subprocess.run(
            [sys.executable, str(API), *(["--quick"] if args.quick else []),
             *(["--keep"] if args.keep else [])], cwd=BASE_DIR).returncode
        # The satisfaction survey: IKM of a region × year over 1,000,000 answers (quick: 100,000), submit p95.
        codes["survey"] = subprocess.run(
            [sys.executable, str(SURVEY), *(["--quick"] if args.quick else []),
             *(["--keep"] if args.keep else [])], cwd=BASE_DIR).returncode
        # Dashboards and the monthly evaluation report over 1,000,000 requests (quick: 100,000).
        codes["reports"] = subprocess.run(
            [sys.executable, str(REPORTS), *(["--quick"] if args.quick else []),
             *(["--keep"] if args.keep else [])], cwd=BASE_DIR).returncode
    print(f"# bench finished in {time.perf_counter() - start:.0f} s", flush=True)
    failed = {name: code for name, code in codes.items() if code}
    for name, code in failed.items():
        print(f"# {name}: {'budget MISSED' if code == 1 else 'error'} (exit {code})", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
