"""manage.py backup / restore: an archive restored into an EMPTY database (another SQLite file, or another
PostgreSQL database) holds every request, file and event, and its NIKs decrypt. Runs on whichever engine the
suite runs on (CI: both)."""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from PIL import Image

from layanan.requests import access, intake, lifecycle
from layanan.standards.models import Service

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
NIKS = ["6109014507900002", "5106024107850003", "3574010101900004"]


def png(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (seed * 40 % 256, 10, 200)).save(out, "PNG")
    return out.getvalue()


def make_requests():
    """Three requests on three agencies, each with two uploads; one finished, one with a staff note."""
    made = []
    codes = ["DINSOS-SEKADAU", "DPMPTSP-BANGLI", "DPMN-SOLOK"]
    for i, (code, nik) in enumerate(zip(codes, NIKS, strict=True)):
        service = Service.objects.filter(agency__code=code, published_standard__isnull=False)[0]
        uploads = [intake.check_upload(SimpleUploadedFile(f"berkas-{i}-{n}.png", png(i * 2 + n)))
                   for n in range(2)]
        request, _created = intake.register(intake.Submission(
            standard=service.published_standard, channel="web", subject=f"Permohonan {i}",
            applicant={"applicant_name": f"Pemohon {i}", "applicant_nik": nik,
                       "applicant_phone": f"+62812000000{i}", "applicant_email": f"p{i}@example.id"},
            uploads=uploads))
        made.append(request)
    lifecycle.perform(made[0], access.ApplicantActor(made[0].pk), "withdraw", confirmed=True)
    return made


# What "everything" means, computed the same way here and in the restored installation.
SNAPSHOT = """
import hashlib, json
from layanan.requests.models import Attachment, Event, Request
events = Event.objects.select_related("request")
out = {
    "requests": {r.tracking_code: r.applicant_nik for r in Request.objects.all()},
    "events": sorted([e.request.tracking_code, e.action, e.note] for e in events),
    "files": {a.file.name: hashlib.sha256(a.file.open("rb").read()).hexdigest()
              for a in Attachment.objects.all()},
}
"""


def snapshot_here() -> dict:
    scope = {}
    exec(SNAPSHOT, scope)  # noqa: S102 (our own constant)
    return json.loads(json.dumps(scope["out"]))


def manage(env, *args):
    return subprocess.run([sys.executable, MANAGE, *args], env=env, capture_output=True, text=True,
                          timeout=300, cwd=settings.BASE_DIR)


def snapshot_there(env) -> dict:
    result = manage(env, "shell", "-c", SNAPSHOT + '\nprint("SNAPSHOT" + json.dumps(out))')
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("SNAPSHOT"))
    return json.loads(line[len("SNAPSHOT"):])


@pytest.fixture
def target(tmp_path):
    """The environment of an empty installation: its own var dir, media folder and database."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MEDIA_ROOT"}}
    env.update(DJANGO_SETTINGS_MODULE="layanan.settings", LAYANAN_DEV="1", DB_CONN_MAX_AGE="0",
               LAYANAN_VAR_DIR=str(tmp_path / "target"), MEDIA_ROOT=str(tmp_path / "target" / "media"))
    if connection.vendor == "sqlite":
        yield env
        return
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore are not installed")
    import psycopg

    params = connection.settings_dict
    name = f"helper_restore_target_{os.getpid()}"
    admin_dsn = {"host": params["HOST"] or None, "port": params["PORT"] or None, "user": params["USER"],
                 "password": params["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**{k: v for k, v in admin_dsn.items() if v is not None}) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = quote(params["USER"]) + (":" + quote(params["PASSWORD"]) if params["PASSWORD"] else "")
    env["DATABASE_URL"] = f"postgres://{auth}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    try:
        yield env
    finally:
        with psycopg.connect(**{k: v for k, v in admin_dsn.items() if v is not None}) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_into_an_empty_database_finds_every_request_file_and_event_and_reads_the_niks(
        seeded, tmp_path, target):
    make_requests()
    before = snapshot_here()
    assert len(before["requests"]) == 3 and len(before["files"]) == 6
    assert sorted(before["requests"].values()) == sorted(NIKS)

    call_command("backup", output=str(tmp_path / "backups"), stdout=io.StringIO())
    archive = next((tmp_path / "backups").glob("layanan-backup-*.tar.gz"))
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    # Keys that cannot read it: refused before anything is written.
    other_keys = {**target, "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    wrong = manage(other_keys, "restore", str(archive))
    assert wrong.returncode != 0
    assert "tidak dapat membaca cadangan ini; tidak ada yang ditimpa" in wrong.stderr
    assert not (Path(target["MEDIA_ROOT"])).exists()

    restored = manage(target, "restore", str(archive))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "jumlah baris sama dengan manifest" in restored.stdout
    after = snapshot_there(target)
    assert after == before  # every request with its NIK in clear, every event, every file byte for byte

    # A second restore onto the now filled database needs --yes.
    again = manage(target, "restore", str(archive))
    assert again.returncode != 0 and "sudah berisi data" in again.stderr
    assert manage(target, "restore", str(archive), "--yes").returncode == 0
    assert snapshot_there(target)["requests"] == before["requests"]


def test_restore_refuses_what_is_not_a_backup(tmp_path, target):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar")
    result = manage(target, "restore", str(junk))
    assert result.returncode != 0 and "bukan arsip cadangan Layanan" in result.stderr
    missing = manage(target, "restore", str(tmp_path / "nothing.tar.gz"))
    assert missing.returncode != 0 and "tidak ditemukan" in missing.stderr
