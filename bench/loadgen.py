"""Load generator for the intake benchmark: virtual users POSTing a web form over loopback.

    .venv/bin/python bench/loadgen.py --base http://127.0.0.1:8123 \
        --path /DPMPTSP-BANGLI/pengaduan-masyarakat/ajukan/ --mode form --duration 20 --concurrency 16

Standard library only (http.client), in processes of its own (`--processes`, threads in each),
so that the generator does not share a GIL with itself nor a process with the server.
Gunicorn's sync workers close every connection, so every request opens a new one (as
`Connection: close` clients do).

Each virtual user first GETs the form: the CSRF cookie and the masked CSRF token, and in
`--mode form` the one-time form token that the form requires for every submission (it becomes
the request's idempotency key: a token posted twice gives the first request back, not a new
one). Tokens come only from real GETs of the form, never minted here: during the harvest
(`--harvest` seconds, before the timed window) each user GETs the form again and again and
keeps the tokens; in the timed window it only POSTs, one fresh token per submission, so the
window times submissions, like the bare insert it is compared with. A user that runs out of
tokens GETs the form inside the window (counted in `inline_gets`; it only lowers our figure).

`--mode bare`: the reference (bench/bare_insert): one GET for the CSRF cookie, then POSTs of the
same multipart body. A success is a 302 to the receipt (`/lacak/<code>/<secret>/tanda-terima/`)
or to `/done/<id>/`. Prints one JSON object on stdout.
"""

import argparse
import http.client
import json
import multiprocessing as mp
import re
import resource
import statistics
import sys
import threading
import time
from collections import Counter, deque
from urllib.parse import urlsplit

BOUNDARY = "----layananbench7MA4YWxkTrZu0gW"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_INPUT = re.compile(r'name="token" value="([^"]+)"')
COOKIE = re.compile(r"csrftoken=([^;,\s]+)")
DESCRIPTION = (
    "Sudah tiga bulan berkas perizinan usaha saya di OSS belum diverifikasi, padahal menurut "
    "standar pelayanan paling lama 5 hari kerja. Saya sudah datang ke loket dua kali dan diminta "
    "menunggu. Mohon kejelasan kapan izin terbit dan apa yang masih kurang dari berkas saya. "
    "Nomor berkas tercantum pada tanda terima loket; foto tanda terima dapat saya kirim bila perlu. "
    "Terima kasih atas perhatian Bapak/Ibu.")
NIK = "5106014507920003"  # Bangli (51 06 01), born 5 July 1992: a valid NIK for the form


def form_fields(vu: int, n: int) -> list[tuple[str, str]]:
    """What a citizen fills in (a person's complaint, with e-mail: an outbox row is written)."""
    return [("applicant_type", "person"), ("name", f"Ni Made Sari {vu}"), ("nik", NIK),
            ("phone", "0812-3866-945"), ("email", f"warga{vu}.{n}@example.id"),
            ("address", "Jl. Merdeka 1, Kelurahan Kawan, Bangli"),
            ("subject", f"Izin usaha tidak kunjung terbit ({vu}-{n})"),
            ("description", DESCRIPTION), ("consent", "on")]


def multipart(fields: list[tuple[str, str]]) -> bytes:
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in fields]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


class VirtualUser:
    def __init__(self, index, cfg):
        self.index, self.cfg = index, cfg
        self.cookie = ""
        self.csrf = ""
        self.tokens = deque()
        self.gets = self.inline_gets = 0
        self.latencies = []          # ms, successful POSTs
        self.codes = []              # tracking codes / inserted ids of successful POSTs
        self.in_window = 0           # successes completed before the end of the window
        self.errors = Counter()

    def _connection(self):
        return http.client.HTTPConnection(self.cfg["host"], self.cfg["port"], timeout=60)

    def get_form(self):
        conn = self._connection()
        try:
            headers = {"Cookie": f"csrftoken={self.cookie}"} if self.cookie else {}
            conn.request("GET", self.cfg["path"], headers=headers)
            response = conn.getresponse()
            body = response.read().decode()
            if response.status != 200:
                raise RuntimeError(f"GET {self.cfg['path']} answered {response.status}")
            found = COOKIE.search(response.getheader("Set-Cookie") or "")
            if found:
                self.cookie = found.group(1)
            self.csrf = CSRF_INPUT.search(body).group(1)
            if self.cfg["mode"] == "form":
                self.tokens.append(TOKEN_INPUT.search(body).group(1))
            self.gets += 1
        finally:
            conn.close()

    def post(self, n):
        fields = [("csrfmiddlewaretoken", self.csrf), *form_fields(self.index, n)]
        if self.cfg["mode"] == "form":
            if not self.tokens:
                self.get_form()
                self.inline_gets += 1
            fields.append(("token", self.tokens.popleft()))
        else:
            fields.append(("token", "x" * 120))  # the same size as a form token
        body = multipart(fields)
        conn = self._connection()
        t0 = time.perf_counter()
        try:
            conn.request("POST", self.cfg["path"], body=body, headers={
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                "Cookie": f"csrftoken={self.cookie}"})
            response = conn.getresponse()
            response.read()
            location = response.getheader("Location") or ""
        except (OSError, http.client.HTTPException) as exc:
            self.errors[type(exc).__name__] += 1
            return
        finally:
            conn.close()
        elapsed = (time.perf_counter() - t0) * 1000
        done_at = time.time()
        ok_prefix = "/lacak/" if self.cfg["mode"] == "form" else "/done/"
        if response.status == 302 and location.startswith(ok_prefix):
            self.codes.append(location.strip("/").split("/")[1])
            self.latencies.append(elapsed)
            if done_at <= self.cfg["end_at"]:
                self.in_window += 1
        else:
            self.errors[f"http_{response.status}"] += 1

    def run(self):
        try:
            self.get_form()
            if self.cfg["mode"] == "form":
                while time.time() < self.cfg["harvest_until"] and len(self.tokens) < self.cfg["max_tokens"]:
                    self.get_form()
        except Exception as exc:  # noqa: BLE001 — reported, the others go on
            self.errors[f"setup_{type(exc).__name__}"] += 1
            return
        time.sleep(max(0.0, self.cfg["start_at"] - time.time()))
        n = 0
        while time.time() < self.cfg["end_at"]:
            n += 1
            try:
                self.post(n)
            except Exception as exc:  # noqa: BLE001
                self.errors[type(exc).__name__] += 1


def process_main(indices, cfg, queue):
    users = [VirtualUser(i, cfg) for i in indices]
    threads = [threading.Thread(target=u.run) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put({
        "codes": [c for u in users for c in u.codes],
        "latencies": [x for u in users for x in u.latencies],
        "in_window": sum(u.in_window for u in users),
        "gets": sum(u.gets for u in users),
        "inline_gets": sum(u.inline_gets for u in users),
        "errors": dict(sum((u.errors for u in users), Counter())),
    })


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--path", required=True, help="the form's path (GET and POST)")
    parser.add_argument("--mode", choices=["form", "bare"], required=True)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--harvest", type=float, default=0.0, help="seconds of form GETs before the window")
    parser.add_argument("--max-tokens", type=int, default=100_000, help="per virtual user")
    args = parser.parse_args(argv)
    url = urlsplit(args.base)
    now = time.time()
    harvest = args.harvest if args.mode == "form" else 0.0
    cfg = {"host": url.hostname, "port": url.port, "path": args.path, "mode": args.mode,
           "harvest_until": now + harvest, "start_at": now + harvest + 1.0,
           "max_tokens": args.max_tokens}
    cfg["end_at"] = cfg["start_at"] + args.duration
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    groups = [list(range(p, args.concurrency, args.processes)) for p in range(args.processes)]
    procs = [ctx.Process(target=process_main, args=(g, cfg, queue)) for g in groups if g]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    codes = [c for r in results for c in r["codes"]]
    latencies = sorted(x for r in results for x in r["latencies"])
    errors = sum((Counter(r["errors"]) for r in results), Counter())
    gets = sum(r["gets"] for r in results)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {
        "mode": args.mode, "duration": args.duration, "concurrency": args.concurrency,
        "successes": len(codes), "in_window": sum(r["in_window"] for r in results),
        "per_s": sum(r["in_window"] for r in results) / args.duration,
        "codes": codes, "errors": dict(errors),
        "p50_ms": statistics.median(latencies) if latencies else None,
        "p95_ms": statistics.quantiles(latencies, n=100, method="inclusive")[94]
        if len(latencies) >= 2 else None,
        "harvest_s": harvest, "gets": gets, "inline_gets": sum(r["inline_gets"] for r in results),
        "get_per_s": (gets / harvest) if harvest else None,
        "client_cpu_s": usage.ru_utime + usage.ru_stime,
    }
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
