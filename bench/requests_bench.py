"""Requests benchmarks on PostgreSQL (issue 3 "Budgets"): intake throughput, worker memory,
and the staff inbox / request / tracking pages with 1,000,000 requests in the database.

    .venv/bin/python bench/requests_bench.py                 # full: 20 s loads, 1,000,000 requests
    .venv/bin/python bench/requests_bench.py --quick         # 5 s loads, 50,000 requests
    .venv/bin/python bench/requests_bench.py --stage intake  # or --stage inbox
    .venv/bin/python bench/requests_bench.py --stage inbox --reuse   # time a kept inbox database again

Intake (`intake.*`, `web_worker.rss_mb`): a throwaway database `layanan_bench_intake` is
migrated and gets the five seed agencies (layanan.demo.loader.load_all via `manage.py
load_demo`); Layanan is served by gunicorn, 4 sync workers, on a free port of 127.0.0.1 with
DEBUG=0, ALLOWED_HOSTS=127.0.0.1, REDIS_URL=redis://127.0.0.1:6379/15 (the bench's own Redis
database, for the queue and the cache as in production; the embedded SQLite queue of a
temporary LAYANAN_VAR_DIR without Redis), HUEY_IMMEDIATE=0 and no Huey worker (outbox rows are
written and the task is queued, never sent). bench/loadgen.py (separate processes, 16 virtual
users) posts DPMPTSP-BANGLI's complaint form. Then the database is checked: every successful
response (a 302 to the receipt) must name a request that exists, each once, and no idempotency
key may appear twice; `intake.lost` = successes − requests matched. The RSS of each gunicorn
worker is read from /proc after that load (`web_worker.rss_mb`, the largest). The reference is
bench/bare_insert, a bare Django project whose view inserts one row into a table of the same
database, served and driven the same way with a POST body of the same size:
`intake.ratio_vs_bare_insert` = ours / bare, both measured in this run.

Inbox (`inbox.*`, `request_page.*`, `tracking_page.*`): bench/inbox_bench.py in its own
process against `layanan_bench_inbox` (settings read DATABASE_URL at import time).

Only databases whose name starts with `layanan_bench` are created and dropped (BENCH_POSTGRES_URL
names the server, default postgres://postgres@127.0.0.1:5432/). If PostgreSQL is unreachable
a `skip:` line says so. Exit status: 0 ok, 1 a budget MISSED, 2 an error.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench.bare_insert import CREATE_TABLE, TABLE  # noqa: E402
from bench.budget import Report  # noqa: E402

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/layanan_bench"
INTAKE_DB, INBOX_DB = "layanan_bench_intake", "layanan_bench_inbox"
FORM_AGENCY, FORM_SERVICE = "DPMPTSP-BANGLI", "pengaduan-masyarakat"
WORKERS = 4
CONCURRENCY = 16
BUDGETS = {
    "intake.ratio_vs_bare_insert": (">=", 0.25, "ratio"),  # issue 13 (issue 3 asked 0.8)
    "intake.lost": ("<=", 0, "count"),
    "web_worker.rss_mb": ("<=", 150, "MB"),
}


# ---------------------------------------------------------------- PostgreSQL databases


def db_url(server_url: str, name: str) -> str:
    if not name.startswith("layanan_bench"):
        raise ValueError(f"refusing to use PostgreSQL database {name!r}: not a layanan_bench database")
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def admin_connection(server_url: str):
    import psycopg

    admin_url = urlunsplit(urlsplit(server_url)._replace(path="/postgres"))
    return psycopg.connect(admin_url, autocommit=True, connect_timeout=5)


def recreate_database(server_url: str, name: str) -> str:
    from psycopg import sql

    url = db_url(server_url, name)  # checks the name
    with admin_connection(server_url) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url


def drop_database(server_url: str, name: str) -> None:
    from psycopg import sql

    db_url(server_url, name)
    with admin_connection(server_url) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def postgres_unreachable(server_url: str) -> str:
    """'' when the server answers, else the reason."""
    try:
        import psycopg
    except ImportError as exc:
        return f"psycopg not importable ({exc})"
    try:
        admin_connection(server_url).close()
    except psycopg.OperationalError as exc:
        parts = urlsplit(server_url)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"unreachable at {parts.hostname}:{parts.port or 5432} ({reason})"
    return ""


# ---------------------------------------------------------------- processes


def app_env(database_url: str, var_dir: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "LAYANAN_VAR_DIR": var_dir,
           "MEDIA_ROOT": str(Path(var_dir) / "media"), "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1",
           "HUEY_IMMEDIATE": "0", "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING"}
    # Production shape: several web workers share Redis for the queue and the cache. A
    # database of the bench's own (emptied first), never another developer's queue; the
    # embedded SQLite queue in var_dir when Redis is not there.
    env.pop("REDIS_URL", None)
    if bench_redis():
        env["REDIS_URL"] = BENCH_REDIS_URL
    env.pop("EMAIL_HOST", None)
    return env


BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def bench_redis() -> bool:
    """Empty the bench's Redis database; False when Redis cannot be reached."""
    try:
        import redis

        client = redis.Redis.from_url(BENCH_REDIS_URL, socket_connect_timeout=2)
        client.flushdb()
        return True
    except Exception:  # noqa: BLE001 — any failure means: run without Redis
        return False


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{master}\n" in status:
                pids.append(int(entry.name))
    return pids


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


@contextmanager
def gunicorn(app: str, env: dict, ready_path: str, log_path: Path):
    """gunicorn APP with WORKERS sync workers on a free loopback port; yields (base_url, master pid)."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", app, "--workers", str(WORKERS), "--worker-class", "sync",
           "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--timeout", "60",
           "--log-level", "warning", "--error-logfile", str(log_path)]
    proc = subprocess.Popen(cmd, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn {app} exited ({proc.returncode}): "
                                   f"{log_path.read_text()[-2000:] if log_path.exists() else ''}")
            try:
                with urllib.request.urlopen(base + ready_path, timeout=10) as response:
                    if response.status == 200 and len(worker_pids(proc.pid)) >= WORKERS:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {app} did not answer {ready_path} within 60 s")
            time.sleep(0.3)
        yield base, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def load(base: str, path: str, mode: str, duration: float, harvest: float) -> dict:
    cmd = [sys.executable, str(BENCH_DIR / "loadgen.py"), "--base", base, "--path", path, "--mode", mode,
           "--duration", str(duration), "--concurrency", str(CONCURRENCY), "--processes", "2",
           "--harvest", str(harvest)]
    out = subprocess.run(cmd, cwd=BASE_DIR, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


# ---------------------------------------------------------------- intake


def intake_stage(server_url: str, quick: bool, keep: bool, report: Report) -> None:
    import psycopg

    duration = 5.0 if quick else 20.0
    harvest = duration * 2.0  # the form page is slower than a POST: enough tokens for the window
    url = recreate_database(server_url, INTAKE_DB)
    tmp = tempfile.mkdtemp(prefix="layanan-bench-intake-")
    try:
        env = app_env(url, tmp)
        t0 = time.perf_counter()
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo")
        report.note(f"intake: {INTAKE_DB} migrated, seed agencies loaded in "
                    f"{time.perf_counter() - t0:.0f} s; gunicorn {WORKERS} sync workers, "
                    f"{CONCURRENCY} virtual users, {duration:g} s window")
        # What one submission costs in process (queries, ms), before the load fills the tables.
        script = Path(__file__).resolve().parent / "intake_inprocess.py"
        inprocess = subprocess.run([sys.executable, str(script), "--n", "100" if quick else "300"],
                                   cwd=BASE_DIR, env=env)
        if inprocess.returncode not in (0, 1):  # 1: a budget MISSED, already printed
            raise RuntimeError(f"intake_inprocess.py exited {inprocess.returncode}")
        if inprocess.returncode == 1:
            report.missed.append("intake.in_process")
        # The bare one-row insert through the same harness: the floor that figure stands on.
        with psycopg.connect(url) as conn:
            conn.execute(CREATE_TABLE)
        subprocess.run([sys.executable, str(script), "--bare", "--n", "100" if quick else "300"],
                       cwd=BASE_DIR, env=env, check=True)
        with psycopg.connect(url) as conn:
            conn.execute(f"TRUNCATE {TABLE}")  # the load below counts its own rows
        path = f"/{FORM_AGENCY}/{FORM_SERVICE}/ajukan/"
        with gunicorn("layanan.wsgi:application", env, path, Path(tmp) / "gunicorn.log") as (base, master):
            ours = load(base, path, "form", duration, harvest)
            workers = {pid: rss_mb(pid) for pid in worker_pids(master)}
        with psycopg.connect(url) as conn:
            total = conn.execute("SELECT count(*) FROM requests_request").fetchone()[0]
            matched = conn.execute("SELECT count(DISTINCT tracking_code) FROM requests_request "
                                   "WHERE tracking_code = ANY(%s)", [ours["codes"]]).fetchone()[0]
            dup_keys = conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM requests_request WHERE idempotency_key IS NOT NULL "
                "GROUP BY agency_id, idempotency_key HAVING count(*) > 1) d").fetchone()[0]
            no_key = conn.execute("SELECT count(*) FROM requests_request "
                                  "WHERE idempotency_key IS NULL").fetchone()[0]
            events = conn.execute("SELECT count(*) FROM requests_event").fetchone()[0]
            outbox = conn.execute("SELECT count(*) FROM requests_outboxmessage "
                                  "WHERE sent_at IS NULL").fetchone()[0]
            conn.execute(CREATE_TABLE)
        bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.bare_insert.settings"}
        with gunicorn("bench.bare_insert.wsgi:application", bare_env, "/insert/",
                      Path(tmp) / "gunicorn-bare.log") as (base, _master):
            bare = load(base, "/insert/", "bare", duration, 0)
        with psycopg.connect(url) as conn:
            bare_rows = conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]  # noqa: S608
            bare_matched = conn.execute(f"SELECT count(*) FROM {TABLE} WHERE id = ANY(%s)",  # noqa: S608
                                        [[int(i) for i in bare["codes"]]]).fetchone()[0]
    finally:
        subprocess.run(["rm", "-rf", tmp], check=False)
        if not keep:
            drop_database(server_url, INTAKE_DB)

    report.bench("intake.per_s", ours["per_s"], "req/s")
    report.bench("intake.bare_insert.per_s", bare["per_s"], "req/s")
    report.bench("intake.ratio_vs_bare_insert", ours["per_s"] / bare["per_s"], "ratio", fmt="{:.2f}")
    lost = ours["successes"] - matched
    report.bench("intake.lost", lost, "count", fmt="{:d}")
    report.bench("web_worker.rss_mb", max(workers.values()), "MB")
    report.note(f"intake: {ours['successes']} successful submissions ({ours['in_window']} inside the "
                f"window), {total} requests in the database, {matched} matched, {dup_keys} duplicate "
                f"idempotency keys, {no_key} without key, {events} events, {outbox} unsent outbox rows; "
                f"errors {ours['errors'] or 'none'}")
    report.note(f"intake: POST p50 {ours['p50_ms']:.0f} ms, p95 {ours['p95_ms']:.0f} ms; form page "
                f"{ours['get_per_s']:.0f} GET/s while harvesting {ours['gets']} tokens "
                f"({ours['inline_gets']} GETs inside the window)")
    report.note(f"bare insert: {bare['successes']} successes, {bare_rows} rows, {bare_matched} matched, "
                f"POST p50 {bare['p50_ms']:.0f} ms, p95 {bare['p95_ms']:.0f} ms; "
                f"errors {bare['errors'] or 'none'}")
    report.note("web workers RSS after the intake load: "
                + ", ".join(f"{v:.0f} MB" for v in sorted(workers.values())))
    if dup_keys or total != matched:
        report.note(f"WARNING: {dup_keys} duplicate keys, {total - matched} requests without a success")


# ---------------------------------------------------------------- inbox


def database_exists(server_url: str, name: str) -> bool:
    db_url(server_url, name)
    with admin_connection(server_url) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def inbox_stage(server_url: str, quick: bool, keep: bool, rows: int | None, reuse: bool = False) -> int:
    if reuse and database_exists(server_url, INBOX_DB):
        url = db_url(server_url, INBOX_DB)  # kept by an earlier --keep run: not regenerated
    else:
        url = recreate_database(server_url, INBOX_DB)
    tmp = tempfile.mkdtemp(prefix="layanan-bench-inbox-")
    try:
        env = app_env(url, tmp)
        cmd = [sys.executable, str(BENCH_DIR / "inbox_bench.py"), "--db", url,
               "--rows", str(rows or (50_000 if quick else 1_000_000))]
        if quick:
            cmd.append("--quick")
        return subprocess.run(cmd, cwd=BASE_DIR, env=env).returncode
    finally:
        subprocess.run(["rm", "-rf", tmp], check=False)
        if not keep:
            drop_database(server_url, INBOX_DB)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 s loads, 50,000 requests")
    parser.add_argument("--stage", choices=["all", "intake", "inbox"], default="all")
    parser.add_argument("--rows", type=int, help="requests in the inbox database (default 1,000,000)")
    parser.add_argument("--keep", action="store_true", help="keep the layanan_bench_* databases")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a kept layanan_bench_inbox (no regeneration; implies --keep)")
    args = parser.parse_args(argv)
    server = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG)
    print("backend: postgresql (requests)", flush=True)
    reason = postgres_unreachable(server)
    if reason:
        print(f"skip: requests benchmarks — postgresql {reason}", flush=True)
        return 0
    report = Report(BUDGETS)
    code = 0
    if args.stage in ("all", "intake"):
        try:
            intake_stage(server, args.quick, args.keep, report)
        except Exception as exc:  # noqa: BLE001 — one clear line, then the inbox still runs
            import traceback

            traceback.print_exc()
            print(f"error: intake: {type(exc).__name__}: {exc}", flush=True)
            code = 2
    if args.stage in ("all", "inbox"):
        inbox_code = inbox_stage(server, args.quick, args.keep or args.reuse, args.rows, args.reuse)
        code = max(code, inbox_code)
    if report.missed:
        print(f"# MISSED: {', '.join(report.missed)}", flush=True)
        code = max(code, 1)
    return code


if __name__ == "__main__":
    sys.exit(main())
