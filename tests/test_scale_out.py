"""Two app servers, one PostgreSQL, one Redis: the production shape of docs/operations.md.

Two gunicorn instances on two ports serve the same database. Citizens fetch the form from
one server and post it to the other, double-post the same form to both, and look up codes
on both: every request exists exactly once, the form token is honoured by either server,
and the rate limit counts across both (it lives in Redis, not in a process).
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests as http
from django.conf import settings
from django.db import connection

from layanan.requests.models import Request
from layanan.standards.models import Requirement, Service

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_DB = 13  # a database of its own on the shared Redis, flushed before and after
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    reason="two app servers share one PostgreSQL (SQLite is one process's database)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_url() -> str:
    return f"redis://127.0.0.1:6379/{REDIS_DB}"


def _flush_redis():
    import redis

    redis.Redis.from_url(_redis_url()).flushdb()


@pytest.fixture
def two_servers(seeded, tmp_path):
    try:
        _flush_redis()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Redis on 127.0.0.1:6379 is needed for the scale-out test: {exc}")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": _redis_url(), "LAYANAN_DEV": "1",
           "DEBUG": "0", "DB_CONN_MAX_AGE": "0", "MEDIA_ROOT": str(tmp_path / "media"),
           "LAYANAN_VAR_DIR": str(tmp_path / "var"), "HUEY_IMMEDIATE": "0", "PYTHONUNBUFFERED": "1",
           "DJANGO_SETTINGS_MODULE": "layanan.settings"}
    servers = []
    try:
        for _i in range(2):
            port = _free_port()
            log = open(tmp_path / f"gunicorn-{port}.log", "wb")  # noqa: SIM115
            proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "layanan.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", "2", "--timeout", "60"], cwd=BASE_DIR, env=env, stdout=log, stderr=log)
            servers.append((proc, f"http://127.0.0.1:{port}", log))
        deadline = time.monotonic() + 120
        for proc, base, _log in servers:
            while True:
                try:  # the first page of a cold worker on a busy machine may take seconds
                    if http.get(base + "/", timeout=15).status_code == 200:
                        break
                except http.RequestException:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn at {base} did not start: "
                                + (tmp_path / f"gunicorn-{base.rsplit(':', 1)[1]}.log").read_text()[-3000:])
                time.sleep(0.3)
        yield [base for _proc, base, _log in servers]
    finally:
        for proc, _base, log in servers:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
        _flush_redis()


def _form(session: http.Session, base: str, svc: Service) -> dict:
    page = session.get(f"{base}/{svc.agency.code}/{svc.code}/ajukan/", timeout=20).text
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return {"token": token, "csrfmiddlewaretoken": csrf}


def _post(session, base, svc, fields, evidence_pk, number):
    data = {**fields, "applicant_type": "person", "name": f"Warga {number}", "nik": "5106014507920003",
            "phone": f"0812-3866-{number:04d}", "address": "Jl. Merdeka 1, Bangli", "consent": "on",
            "subject": f"Izin usaha belum terbit ({number})",
            "description": "Sudah tiga bulan berkas OSS saya belum diverifikasi."}
    files = {f"doc_{evidence_pk}": ("bukti.pdf", PDF, "application/pdf")}
    return session.post(f"{base}/{svc.agency.code}/{svc.code}/ajukan/", data=data, files=files,
                        headers={"Referer": base + "/"}, allow_redirects=False, timeout=30)


def test_two_app_servers_share_tokens_rate_limits_and_lose_nothing(two_servers):
    svc = Service.objects.get(agency__code="DPMPTSP-BANGLI", code="pengaduan-masyarakat")
    evidence = Requirement.objects.get(standard=svc.published_standard, kind="document")
    a, b = two_servers
    citizens = 12
    receipts = {}
    for number in range(citizens):
        first, second = (a, b) if number % 2 else (b, a)
        session = http.Session()
        fields = _form(session, first, svc)  # the form from one server…
        posted = _post(session, second, svc, fields, evidence.pk, number)  # …posted to the other
        assert posted.status_code == 302, posted.text[:2000]
        again = _post(session, first, svc, fields, evidence.pk, number)  # a retry lands elsewhere
        assert again.status_code == 302 and again.headers["Location"] == posted.headers["Location"]
        receipts[number] = posted.headers["Location"]
    assert len(set(receipts.values())) == citizens
    made = Request.objects.filter(service=svc, subject__startswith="Izin usaha belum terbit (")
    assert made.count() == citizens  # every request once: none lost, none doubled
    assert len(set(made.values_list("idempotency_key", flat=True))) == citizens

    # The tracking lookup's per-IP limit (10 a minute) counts across both servers.
    code = made.first().tracking_code
    statuses = []
    for attempt in range(12):
        base = (a, b)[attempt % 2]
        session = http.Session()
        page = session.get(f"{base}/lacak/", timeout=20).text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        statuses.append(session.post(f"{base}/lacak/", data={
            "code": code, "digits": "9999", "csrfmiddlewaretoken": csrf},
            headers={"Referer": base + "/"}, allow_redirects=False, timeout=20).status_code)
    assert statuses[:10] == [404] * 10 and statuses[10:] == [429, 429]


def test_a_change_made_on_one_server_reaches_the_form_on_the_other_at_once(two_servers):
    """Each process keeps the published standard behind a form (requests/published.py). The
    agency admin, on server A, starts asking complainants for the place of the incident; the
    very next citizen on server B — whose workers served the form a moment ago — is asked too."""
    from django.contrib.auth.hashers import make_password

    from layanan.accounts.models import User
    from layanan.demo.loader import DEMO_PASSWORD

    svc = Service.objects.get(agency__code="DPMPTSP-BANGLI", code="pengaduan-masyarakat")
    evidence = Requirement.objects.get(standard=svc.published_standard, kind="document")
    a, b = two_servers
    # The servers check passwords with the production hashers (the tests' own one is MD5).
    User.objects.filter(username="bangli.admin").update(
        password=make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256"))
    for number in range(4):  # both workers of server B keep the standard as it is now
        session = http.Session()
        assert _post(session, b, svc, _form(session, b, svc), evidence.pk, 100 + number).status_code == 302

    admin = http.Session()
    page = admin.get(f"{a}/akun/masuk/", timeout=20).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    logged_in = admin.post(f"{a}/akun/masuk/", data={
        "username": "bangli.admin", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": csrf},
        headers={"Referer": a + "/"}, allow_redirects=False, timeout=20)
    assert logged_in.status_code == 302, logged_in.text[:2000]
    page = admin.get(f"{a}/kelola/api/", timeout=20).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    saved = admin.post(f"{a}/kelola/api/layanan/", data={
        "location_required": str(svc.pk), "csrfmiddlewaretoken": csrf},
        headers={"Referer": a + "/"}, allow_redirects=False, timeout=20)
    assert saved.status_code == 302

    for number in range(4):  # whichever worker of server B answers
        session = http.Session()
        refused = _post(session, b, svc, _form(session, b, svc), evidence.pk, 200 + number)
        assert refused.status_code == 400 and "Tuliskan lokasi kejadian" in refused.text
    session = http.Session()
    fields = {**_form(session, b, svc), "location_text": "Kantor DPMPTSP, Jl. Brigjen Ngurah Rai, Bangli"}
    assert _post(session, b, svc, fields, evidence.pk, 300).status_code == 302
    made = Request.objects.get(subject="Izin usaha belum terbit (300)")
    assert made.location_text.startswith("Kantor DPMPTSP")
