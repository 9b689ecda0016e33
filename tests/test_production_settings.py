"""Production refuses to start unsafe; with the documented settings `check --deploy` is clean;
every page carries a CSP without inline script; staff pages are not cacheable; secrets stay out
of the logs; production without Redis warns."""

import io
import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.test import RequestFactory
from django.urls import reverse

from layanan.core.logging import RedactingGunicornLogger, RedactSecretsFilter
from layanan.standards.models import Service

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "docs" / "operations.md"


def production_env(**values) -> dict:
    """A bare environment (no development switch, nothing inherited from this shell) plus `values`."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "layanan.settings"
    env.update(values)
    return env


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def documented_production_env() -> dict:
    """The environment block of docs/operations.md "Production settings", the `…` secrets filled in."""
    text = OPERATIONS.read_text(encoding="utf-8")
    section = text.split("## Production settings", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    values = {}
    for line in block.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, value = line.split("=", 1)
        values[name] = value.strip('"')
    assert values["SECRET_KEY"] == "…" and values["FIELD_ENCRYPTION_KEYS"] == "…"
    values["SECRET_KEY"] = secrets.token_urlsafe(50)
    values["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    return values


def test_production_without_secret_key_refuses_to_start_and_names_the_variable():
    done = manage("check", env=production_env(FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode()))
    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in done.stderr
    assert "SECRET_KEY belum diisi" in done.stderr


def test_production_without_field_encryption_keys_refuses_to_start():
    done = manage("check", env=production_env(SECRET_KEY=secrets.token_urlsafe(50)))
    assert done.returncode != 0
    assert "ImproperlyConfigured: FIELD_ENCRYPTION_KEYS is not set" in done.stderr
    assert "FIELD_ENCRYPTION_KEYS belum diisi" in done.stderr


def test_the_development_key_from_the_source_is_refused_in_production():
    done = manage("check", env=production_env(SECRET_KEY="dev-only-insecure-key-change-me",
                                              FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode()))
    assert done.returncode != 0 and "SECRET_KEY" in done.stderr


def test_a_malformed_encryption_key_is_refused_at_start():
    done = manage("check", env=production_env(SECRET_KEY=secrets.token_urlsafe(50),
                                              FIELD_ENCRYPTION_KEYS="not-a-key"))
    assert done.returncode != 0 and "not a Fernet key" in done.stderr


def test_production_with_both_keys_starts():
    done = manage("check", env=production_env(SECRET_KEY=secrets.token_urlsafe(50),
                                              FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
                                              LAYANAN_SINGLE_PROCESS="1",
                                              SITE_URL="https://layanan.example.go.id"))
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_production_without_site_url_warns_at_start():
    done = manage("check", env=production_env(SECRET_KEY=secrets.token_urlsafe(50),
                                              FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
                                              LAYANAN_SINGLE_PROCESS="1"))
    assert done.returncode == 0, done.stderr
    assert "layanan.W002" in done.stderr and "SITE_URL" in done.stderr


def test_development_needs_no_configuration():
    done = manage("check", env=production_env(DEBUG="1"))
    assert done.returncode == 0, done.stderr


def test_check_deploy_is_clean_with_the_documented_production_settings():
    done = manage("check", "--deploy", "--fail-level", "WARNING",
                  env=production_env(**documented_production_env()))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout


def test_check_deploy_without_hsts_is_not_clean():
    """The test above can fail: leaving out one documented setting is reported."""
    env = documented_production_env()
    del env["SECURE_HSTS_SECONDS"]
    done = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(**env))
    assert done.returncode != 0 and "security.W004" in done.stdout + done.stderr


def test_production_without_redis_warns_about_per_process_limits():
    env = documented_production_env()
    del env["REDIS_URL"]
    done = manage("check", env=production_env(**env))
    assert "layanan.W001" in done.stdout + done.stderr
    done = manage("check", env=production_env(**env, LAYANAN_SINGLE_PROCESS="1"))
    assert "layanan.W001" not in done.stdout + done.stderr


def test_shared_cache_check_in_process(settings):
    settings.DEV_MODE, settings.REDIS_URL, settings.LAYANAN_SINGLE_PROCESS = False, "", False
    assert "layanan.W001" in {m.id for m in run_checks()}
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert "layanan.W001" not in {m.id for m in run_checks()}


# Content-Security-Policy and no inline script.

def test_pages_carry_a_csp_without_inline_script(demo, client):
    service = Service.objects.filter(agency__code="DINSOS-SEKADAU").first()
    for url in ("/", reverse("portal:service", args=["DINSOS-SEKADAU", service.code]),
                reverse("accounts:login"), reverse("public_requests:lookup")):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url  # no inline <script>
        assert not re.search(r"\son[a-z]+=", html), url  # no onclick= / onchange=


def test_no_template_holds_inline_script_or_style():
    templates = list((ROOT / "layanan").rglob("*.html"))
    assert len(templates) > 30
    for path in templates:
        if path.name == "standard_pdf.html":  # rendered to PDF by WeasyPrint, never served as HTML
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\son[a-z]+=|\sstyle=|<style", text), path


# Cache-Control on staff pages.

def test_staff_pages_are_never_cached(demo, client_for, client):
    staff = client_for("dinsos.admin")
    for url in (reverse("console:home"), reverse("desk:inbox"), reverse("agencies:staff"),
                reverse("accounts:password_change"), "/"):
        cache_control = staff.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url
    for url in (reverse("accounts:login"), "/admin/login/"):
        assert "no-store" in client.get(url)["Cache-Control"], url
    # A citizen's public page stays cacheable.
    assert "no-store" not in client.get("/").get("Cache-Control", "")


# Secrets never in logs.

SECRET = "Zq9secretXk2"


def test_a_404_under_the_tracking_link_is_logged_without_the_secret(demo, client):
    """django.request logs the 404 with its path; the configured handler writes it redacted."""
    handler = next(h for h in logging.getLogger("django").handlers
                   if any(isinstance(f, RedactSecretsFilter) for f in h.filters))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        response = client.get(f"/lacak/LYN-2026-000001/{SECRET}/x?token=abc123")
    finally:
        handler.setStream(previous)
    assert response.status_code == 404
    logged = stream.getvalue()
    assert "Not Found: /lacak/LYN-2026-000001/[redacted]" in logged
    assert SECRET not in logged


def test_the_configured_handler_redacts_django_server_and_reset_tokens():
    factory_record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                                       (f"GET /lacak/KODE/{SECRET}/tanda-terima/ HTTP/1.1", 200, 10), None)
    RedactSecretsFilter().filter(factory_record)
    assert SECRET not in factory_record.getMessage()
    reset = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s",
                              ("/akun/atur-ulang/MTA/c9z1a2-0123456789abcdef/",), None)
    RedactSecretsFilter().filter(reset)
    assert "0123456789abcdef" not in reset.getMessage() and "/akun/atur-ulang/MTA/" in reset.getMessage()


def test_gunicorn_access_log_is_redacted():
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    glog = RedactingGunicornLogger(cfg)
    environ = RequestFactory().get(f"/lacak/KODE/{SECRET}/?secret=x1y2").environ
    environ["RAW_URI"] = f"/lacak/KODE/{SECRET}/?secret=x1y2"

    class Req:
        method, path, query, version, uri = ("GET", f"/lacak/KODE/{SECRET}/", "secret=x1y2",
                                             (1, 1), f"/lacak/KODE/{SECRET}/?secret=x1y2")
        headers = [("REFERER", f"https://x.test/lacak/KODE/{SECRET}/")]

    class Resp:
        status, sent, headers, response_length = "200 OK", 10, [], 10

    from datetime import timedelta
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    glog.access_log.addHandler(handler)
    atoms = glog.atoms(Resp(), Req(), environ, timedelta(milliseconds=5))
    # gunicorn's default format, and one naming every atom (headers and environ entries included).
    for fmt in (cfg.access_log_format, " ".join(f"%({key})s" for key in atoms)):
        cfg.set("access_log_format", fmt)
        glog.access(Resp(), Req(), environ, timedelta(milliseconds=5))
    assert len(lines) == 2 and all("/lacak/KODE/[redacted]" in line for line in lines)
    assert all(SECRET not in line and "x1y2" not in line for line in lines)


@pytest.mark.parametrize("line", [
    "GET /lacak/ HTTP/1.1", "GET /kelola/permohonan/?q=budi HTTP/1.1", "GET /api/v1/standards HTTP/1.1",
])
def test_lines_without_secrets_are_left_alone(line):
    from layanan.core.logging import redact

    assert redact(line) == line
