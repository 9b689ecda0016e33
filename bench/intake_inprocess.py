"""One web-form submission, in process: how many queries and how many milliseconds (issue 13).

Run by bench/requests_bench.py's intake stage against its own migrated PostgreSQL database
(DATABASE_URL in the environment, seed agencies loaded). The form page is fetched before each
POST (not timed), as a citizen does; only the POST is timed. Both are calls of the project's WSGI
application (layanan/wsgi.py, as gunicorn loads it) with the environ and multipart body gunicorn
would hand it (CSRF cookie and token included, checked as in production): no HTTP, no gunicorn,
no test client — what the submission itself costs the server. The queries are counted on 20
further POSTs, untimed: counting them means Django's debug cursor (a log entry and the SQL text
kept per statement), which production does not run and which cost ~0.6 ms per POST when the
timed POSTs were also the counted ones (until 2026-11-30's fifth session).

    LAYANAN_DEV=1 DATABASE_URL=postgres://…/layanan_bench_intake .venv/bin/python bench/intake_inprocess.py
"""

import argparse
import contextlib
import cProfile
import io
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layanan.settings")
os.environ.setdefault("LAYANAN_DEV", "1")

BUDGETS = {
    "intake.queries_per_submission": ("<=", 8, "count"),
    "intake.ms_in_process.p50": ("<=", 6, "ms"),
}
AGENCY, SERVICE = "DPMPTSP-BANGLI", "pengaduan-masyarakat"


def wsgi_call(application, method: str, path: str, *, body: bytes = b"", cookie: str = "",
              content_type: str = "") -> tuple[str, dict, bytes]:
    """One request as gunicorn hands it to the application: (status, headers, body)."""
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000", "HTTP_CONNECTION": "close",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "CONTENT_LENGTH": str(len(body)) if body else "",
        "CONTENT_TYPE": content_type,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = status, headers

    result = application(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        result.close()  # request_finished, as gunicorn closes it
    headers = {}
    for name, value in started["headers"]:
        headers.setdefault(name.lower(), []).append(value)
    return started["status"], headers, content


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300, help="submissions timed (default 300)")
    parser.add_argument("--profile", metavar="FILE",
                        help="also write a cProfile (CPU time) of the timed POSTs to FILE")
    parser.add_argument("--bare", action="store_true",
                        help="time the bare one-row insert (bench/bare_insert) the same way instead")
    args = parser.parse_args(argv)
    if args.bare:
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare_insert.settings"

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.budget import Report, percentile

    settings.ALLOWED_HOSTS = ["*"]
    report = Report({} if args.bare else BUDGETS)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    if args.bare:
        from bench.bare_insert.wsgi import application
    else:
        from layanan.wsgi import application  # what gunicorn serves, garbage collector set as there
    times, cpu_times, queries = time_posts(application, args.n, bare=args.bare, profiler=profiler,
                                           capture=lambda: CaptureQueriesContext(connection))
    if profiler is not None:
        profiler.dump_stats(args.profile)  # the timings above include the profiler's overhead
    if args.bare:
        # The floor of the same harness: one multipart POST, CSRF, one INSERT, a redirect.
        report.bench("intake.bare_insert.ms_in_process.p50", percentile(times, 50), "ms")
        report.bench("intake.bare_insert.cpu_ms_in_process.p50", percentile(cpu_times, 50), "ms")
        return 0
    report.note(f"intake in process: {args.n} web-form submissions on "
                f"{connection.vendor} (WSGI calls as gunicorn makes them, the form fetched before "
                f"each, untimed; queries counted on {COUNTED} more, untimed)")
    report.bench("intake.queries_per_submission", statistics.median(queries), "count", "{:.0f}")
    report.bench("intake.ms_in_process.p50", percentile(times, 50), "ms")
    report.bench("intake.ms_in_process.p95", percentile(times, 95), "ms")
    # The same POSTs' CPU time in this process (the rest of the wall time is waiting on
    # PostgreSQL and Redis): steadier than wall time on a machine shared with others.
    report.bench("intake.cpu_ms_in_process.p50", percentile(cpu_times, 50), "ms")
    form_ms, register_ms = cpu_of_parts(args.n)
    report.bench("intake.cpu_ms.form", form_ms, "ms")
    report.bench("intake.cpu_ms.register", register_ms, "ms")
    return 1 if report.missed else 0


COUNTED = 20  # POSTs after the timed ones whose queries are counted (untimed: see the module)


def time_posts(application, n: int, *, bare: bool, profiler, capture) -> tuple[list, list, list]:
    """(wall ms, CPU ms) of n POSTs after 20 untimed ones, and the queries of COUNTED more; each
    after a GET of the form (Layanan: the one-time form token comes from it; the bare view: the
    CSRF cookie only)."""
    from bench.loadgen import BOUNDARY, COOKIE, CSRF_INPUT, TOKEN_INPUT, form_fields, multipart

    path, done = ("/insert/", "/done/") if bare else (f"/{AGENCY}/{SERVICE}/ajukan/", "/lacak/")
    cookie = ""
    times, cpu_times, queries = [], [], []
    for i in range(n + 20 + COUNTED):  # the first 20 warm the process (imports, templates, caches)
        status, headers, page = wsgi_call(application, "GET", path, cookie=cookie)
        if not cookie:
            cookie = "csrftoken=" + COOKIE.search(" ".join(headers["set-cookie"])).group(1)
        page = page.decode()
        token = "x" * 120 if bare else TOKEN_INPUT.search(page).group(1)  # the bare view: the same size
        body = multipart([("csrfmiddlewaretoken", CSRF_INPUT.search(page).group(1)), *form_fields(1, i),
                          ("token", token)])
        counted = i >= n + 20
        with capture() if counted else contextlib.nullcontext() as captured:
            if profiler is not None and 20 <= i < n + 20:
                profiler.enable()
            t0, c0 = time.perf_counter(), time.process_time()
            status, headers, _content = wsgi_call(
                application, "POST", path, body=body, cookie=cookie,
                content_type=f"multipart/form-data; boundary={BOUNDARY}")
            elapsed = (time.perf_counter() - t0) * 1000
            cpu = (time.process_time() - c0) * 1000
            if profiler is not None:
                profiler.disable()
        if not status.startswith("302") or done not in headers["location"][0]:
            raise RuntimeError(f"POST {path} answered {status}")
        if counted:
            queries.append(len(captured.captured_queries))
        elif i >= 20:
            times.append(elapsed)
            cpu_times.append(cpu)
    return times, cpu_times, queries


def cpu_of_parts(n: int) -> tuple[float, float]:
    """Mean CPU ms of the two parts of a POST, each timed directly (a profiler inflates
    Python-heavy code): the form (build, validate NIK/phone/token, submission) and
    intake.register (the INSERTs, the commit, the after-commit queue pushes)."""
    from django.utils.datastructures import MultiValueDict

    from bench.loadgen import form_fields
    from layanan.requests import intake, published
    from layanan.requests.forms import WebRequestForm

    standard = published.published_standard(AGENCY, SERVICE)
    kwargs = {"standard": standard, "requirements": standard.requirements.all(),
              "kind": standard.service.kind}
    tokens = [intake.new_form_token(f"web.{standard.service.pk}") for _i in range(2 * n)]

    def submission(i):
        form = WebRequestForm({**dict(form_fields(2, i)), "token": tokens[i]}, MultiValueDict(), **kwargs)
        if not form.is_valid():
            raise RuntimeError(f"the bench's form does not validate: {form.errors.as_json()}")
        return form.submission()

    t0 = time.process_time()
    submissions = [submission(i) for i in range(n)]
    form_ms = (time.process_time() - t0) * 1000 / n
    submissions += [submission(n + i) for i in range(n)]
    t0 = time.process_time()
    for item in submissions[n:]:
        intake.register(item)
    register_ms = (time.process_time() - t0) * 1000 / n
    return form_ms, register_ms


if __name__ == "__main__":
    sys.exit(main())
