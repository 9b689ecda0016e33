"""Backup and restore: one archive with the database, the media folder and a manifest.

    manage.py backup [--output DIR]          → DIR/layanan-backup-YYYYmmdd-HHMMSS.tar.gz
    manage.py restore ARCHIVE [--yes]

The archive holds `manifest.json`, the database (`database.sqlite3`, an online
copy made with SQLite's backup API, or `database.pgdump`, `pg_dump -Fc`) and
`media/`. The manifest records when and from what it was made, the migrations
applied, the row count of every table and a *key check*: a known value
encrypted with the installation's first key plus a sample of the stored
ciphertexts. Restore reads the manifest first and refuses, before anything
is overwritten, when the configured FIELD_ENCRYPTION_KEYS cannot read them.
The keys themselves are never in the archive: they are backed up separately.

On PostgreSQL the counts and the sample are taken in the very snapshot
pg_dump dumps (pg_export_snapshot), so they match the dump exactly.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from layanan.core import crypto, rows

FORMAT = 1
CANARY = "layanan-key-check"
MANIFEST = "manifest.json"
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
SAMPLES_PER_COLUMN = 3
# A restore target is "not empty" when one of these holds a row.
DATA_TABLES = ("agencies_agency", "accounts_user", "requests_request")


class BackupError(Exception):
    """Something an operator must fix; the message says what (no traceback needed)."""


# ---------------------------------------------------------------- what the manifest knows


def _models():
    return [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _collect(cursor, tables: set[str]) -> dict:
    """Row counts, applied migrations and a sample of ciphertexts, through a DB-API cursor."""
    counts = {}
    for model in _models():
        table = model._meta.db_table
        if table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {_q(table)}")  # noqa: S608 (identifiers from models)
            counts[model._meta.label] = cursor.fetchone()[0]
    migrations = []
    if "django_migrations" in tables:
        cursor.execute('SELECT app, name FROM "django_migrations" ORDER BY app, name')
        migrations = [list(row) for row in cursor.fetchall()]
    samples = []
    for model, names in crypto.encrypted_fields():
        table = model._meta.db_table
        if table not in tables:
            continue
        pk = model._meta.pk.column
        for name in names:
            column = model._meta.get_field(name).column
            for order in ("ASC", "DESC"):
                cursor.execute(f"SELECT {_q(pk)}, {_q(column)} FROM {_q(table)} "  # noqa: S608
                               f"WHERE {_q(column)} <> '' ORDER BY {_q(pk)} {order} "
                               f"LIMIT {SAMPLES_PER_COLUMN}")
                for row_pk, token in cursor.fetchall():
                    where = f"{model._meta.label}.{name}#{row_pk}"
                    if all(s["where"] != where for s in samples):
                        samples.append({"where": where, "token": token})
    return {"counts": counts, "migrations": migrations, "samples": samples}


def key_fingerprints() -> list[str]:
    """Short hashes of the configured keys: tells a human which keys a backup needs (not the keys)."""
    return [hashlib.sha256(k.encode()).hexdigest()[:12] for k in crypto._keys()]


def key_problems(key_check: dict) -> list[str]:
    """What the configured keys cannot read of a backup's key check; [] when they read it all."""
    problems = []
    try:
        if crypto.decrypt(key_check["canary"]) != CANARY:
            problems.append("canary")
    except ValueError:
        problems.append("canary")
    for sample in key_check.get("samples", []):
        try:
            crypto.decrypt(sample["token"])
        except ValueError:
            problems.append(sample["where"])
    return problems


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        text = version("layanan")
    except PackageNotFoundError:
        text = "unknown"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=settings.BASE_DIR,
                                capture_output=True, text=True, timeout=5, check=True).stdout.strip()
        text += f" ({commit})"
    except (OSError, subprocess.SubprocessError):
        pass
    return text


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_stats(root: Path) -> dict:
    files = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


# ---------------------------------------------------------------- PostgreSQL tools


def _pg_env_args(settings_dict) -> tuple[dict, list[str]]:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
                             ("sslcert", "PGSSLCERT"), ("sslkey", "PGSSLKEY")):
        if options.get(option):
            env[variable] = str(options[option])
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    return env, args


def _tool_major(path: str) -> int:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(found.group(1)) if found else 0


def pg_tool(name: str, server_major: int) -> str:
    """pg_dump / pg_restore at least as new as the server (an older one refuses a newer server).

    The one on PATH when it will do, else Debian's versioned /usr/lib/postgresql/N/bin/NAME
    (the lowest N that is new enough), else a clear error.
    """
    candidates = [p for p in [shutil.which(name)] if p]
    candidates += sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"),
                         key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)))
    if not candidates:
        raise BackupError(f"{name} tidak ditemukan: pasang postgresql-client-{server_major} "
                          f"({name} not found: install postgresql-client-{server_major}).")
    for path in candidates:
        if _tool_major(path) >= server_major:
            return path
    found = ", ".join(f"{p} ({_tool_major(p)})" for p in candidates)
    raise BackupError(f"{name} lebih tua dari server PostgreSQL {server_major}: {found}. Pasang "
                      f"postgresql-client-{server_major} ({name} is older than the server).")


# ---------------------------------------------------------------- backup


@dataclass
class BackupResult:
    path: Path
    manifest: dict


def backup(output_dir: Path | None = None, *, now=None) -> BackupResult:
    """Write one archive to `output_dir` (default VAR_DIR/backups) and return its path and manifest."""
    now = now or timezone.now()
    output_dir = Path(output_dir or Path(settings.VAR_DIR) / "backups")
    output_dir.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor not in DB_FILES:
        raise BackupError(f"Database {vendor} is not supported by manage.py backup.")
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=output_dir))
    try:
        dump = work / DB_FILES[vendor]
        if vendor == "sqlite":
            facts, server = _dump_sqlite(dump), sqlite3.sqlite_version
        else:
            facts, server = _dump_postgresql(dump)
        media_root = Path(settings.MEDIA_ROOT)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "app_version": _app_version(),
            "database": {"engine": vendor, "server_version": server, "file": dump.name,
                         "sha256": _sha256(dump), "bytes": dump.stat().st_size},
            "migrations": facts["migrations"],
            "counts": facts["counts"],
            "media": _media_stats(media_root),
            "key_check": {"canary": crypto.encrypt(CANARY), "samples": facts["samples"],
                          "key_fingerprints": key_fingerprints(),
                          "blind_index": crypto.blind_index(CANARY)},
        }
        name = f"layanan-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"
        partial = output_dir / (name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            if media_root.is_dir():
                tar.add(media_root, arcname="media")
        os.chmod(partial, 0o600)  # personal data (encrypted) and the files people sent
        final = output_dir / name
        os.replace(partial, final)
        return BackupResult(final, manifest)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _sqlite_path() -> str:
    return str(connection.settings_dict["NAME"])


def _dump_sqlite(target: Path) -> dict:
    """SQLite's online backup API: a consistent copy while the site keeps writing (WAL)."""
    with closing(sqlite3.connect(_sqlite_path(), timeout=30)) as source, \
            closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        cursor = copy.cursor()
        tables = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return _collect(cursor, tables)


def _dump_postgresql(target: Path) -> tuple[dict, str]:
    """pg_dump -Fc of the snapshot in which the manifest's counts and samples are taken."""
    settings_dict = connection.settings_dict
    if connection.in_atomic_block:  # the snapshot must be the transaction's first statement
        raise BackupError("manage.py backup cannot run inside a transaction.")
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    tool = pg_tool("pg_dump", server_major)
    env, args = _pg_env_args(settings_dict)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        facts = _collect(cursor, set(connection.introspection.table_names(cursor)))
        result = subprocess.run(
            [tool, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
             "--file", str(target), *args, str(settings_dict["NAME"])],
            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_dump gagal / failed: {result.stderr.strip()}")
    version = f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    return facts, version


# ---------------------------------------------------------------- restore


@dataclass
class RestoreResult:
    manifest: dict
    counts: dict
    differences: dict = field(default_factory=dict)  # label → (in backup, restored)
    unapplied: list = field(default_factory=list)  # migrations of this release not in the backup
    media_moved_to: Path | None = None
    blind_index_changed: bool = False


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            manifest = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, AttributeError, ValueError) as exc:
        raise BackupError(f"{archive}: bukan arsip cadangan Layanan yang utuh ({exc}).") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: format cadangan {manifest.get('format')} tidak dikenal.")
    return manifest


def target_has_data() -> bool:
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for table in DATA_TABLES:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {_q(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return True
    return False


def check_restorable(archive: Path, *, overwrite: bool) -> dict:
    """Everything that can be checked before the first byte is overwritten; returns the manifest."""
    manifest = read_manifest(archive)
    engine = manifest["database"]["engine"]
    if engine != connection.vendor:
        raise BackupError(f"Cadangan ini dari {engine}, basis data yang terpasang {connection.vendor}: "
                          f"atur DATABASE_URL ke basis data {engine} (the backup is from {engine}).")
    problems = key_problems(manifest["key_check"])
    if problems:
        wanted = ", ".join(manifest["key_check"].get("key_fingerprints", [])) or "?"
        raise BackupError(
            "Kunci enkripsi yang terpasang (FIELD_ENCRYPTION_KEYS) tidak dapat membaca cadangan ini; "
            f"tidak ada yang ditimpa. Cadangan dibuat dengan kunci bersidik {wanted}, yang terpasang "
            f"{', '.join(key_fingerprints())}. Tidak terbaca: {', '.join(problems[:5])}. "
            "(These keys cannot read this backup; nothing was overwritten.)")
    if not overwrite and target_has_data():
        raise BackupError("Basis data tujuan sudah berisi data; tidak ada yang ditimpa. Pakai --yes untuk "
                          "menimpanya (the target database is not empty; nothing was overwritten).")
    return manifest


def restore(archive: Path, *, overwrite: bool = False) -> RestoreResult:
    archive = Path(archive)
    manifest = check_restorable(archive, overwrite=overwrite)
    Path(settings.MEDIA_ROOT).parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".restore-", dir=Path(settings.MEDIA_ROOT).parent))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")  # no absolute paths, no "..", no devices
        dump = work / manifest["database"]["file"]
        if not dump.is_file() or _sha256(dump) != manifest["database"]["sha256"]:
            raise BackupError(f"{archive}: salinan basis data rusak (checksum differs); "
                              "tidak ada yang ditimpa.")
        connections.close_all()
        if connection.vendor == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump)
            rows.forget_reserved_keys()  # the sequences are the backup's now
        connections.close_all()
        moved = _restore_media(work / "media", timezone.now())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _verify(manifest, moved)


def _restore_sqlite(dump: Path) -> None:
    """The backup API again, the other way: the live file (and its WAL) replaced page by page."""
    with closing(sqlite3.connect(dump)) as source, \
            closing(sqlite3.connect(_sqlite_path(), timeout=30)) as live:
        source.backup(live)


def _restore_postgresql(dump: Path) -> None:
    settings_dict = connection.settings_dict
    connection.ensure_connection()
    tool = pg_tool("pg_restore", connection.pg_version // 10000)
    connections.close_all()
    env, args = _pg_env_args(settings_dict)
    result = subprocess.run(
        [tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", *args, "--dbname", str(settings_dict["NAME"]), str(dump)],
        env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore gagal; basis data tidak berubah (single transaction): "
                          f"{result.stderr.strip()}")


def _restore_media(extracted: Path, now) -> Path | None:
    """The archive's media folder becomes MEDIA_ROOT; a non-empty old one is kept beside it."""
    root = Path(settings.MEDIA_ROOT)
    moved = None
    if root.is_dir() and any(root.iterdir()):
        moved = root.with_name(f"{root.name}.before-restore-{now:%Y%m%d-%H%M%S}")
        os.replace(root, moved)
    elif root.is_dir():
        root.rmdir()
    root.parent.mkdir(parents=True, exist_ok=True)
    if extracted.is_dir():
        shutil.move(str(extracted), str(root))
    else:
        root.mkdir()
    return moved


def _verify(manifest: dict, moved) -> RestoreResult:
    with connection.cursor() as cursor:
        facts = _collect(cursor, set(connection.introspection.table_names(cursor)))
    differences = {label: (count, facts["counts"].get(label))
                   for label, count in manifest["counts"].items() if facts["counts"].get(label) != count}
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    applied = {tuple(m) for m in facts["migrations"]}
    unapplied = sorted(f"{app}.{name}" for app, name in graph.nodes if (app, name) not in applied)
    problems = key_problems({"canary": crypto.encrypt(CANARY), "samples": facts["samples"]})
    if problems:
        raise BackupError(f"Dipulihkan, tetapi data terenkripsi tidak terbaca: {', '.join(problems[:5])}.")
    return RestoreResult(
        manifest=manifest, counts=facts["counts"], differences=differences, unapplied=unapplied,
        media_moved_to=moved,
        blind_index_changed=manifest["key_check"].get("blind_index") != crypto.blind_index(CANARY))
