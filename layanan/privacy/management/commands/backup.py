"""manage.py backup [--output DIR] — the database, the media folder and a manifest in one archive.

See layanan/privacy/backup.py and docs/operations.md "Backup and restore".
The encryption keys are NOT in the archive: keep them in the password safe.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from layanan.privacy.backup import BackupError, backup


class Command(BaseCommand):
    help = "Cadangkan basis data, folder media dan manifest (dengan cek kunci) ke satu arsip .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="DIR", help="folder tujuan (bawaan: VAR_DIR/backups)")

    def handle(self, *args, output=None, **options):
        try:
            result = backup(Path(output) if output else None)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(f"Cadangan: {result.path}")
        self.stdout.write(f"  basis data {manifest['database']['engine']} "
                          f"{manifest['database']['server_version']}, {manifest['database']['bytes']} bytes")
        self.stdout.write(f"  permohonan {manifest['counts'].get('requests.Request', 0)}, "
                          f"riwayat {manifest['counts'].get('requests.Event', 0)}, "
                          f"berkas media {manifest['media']['files']}")
        fingerprints = ", ".join(manifest["key_check"]["key_fingerprints"])
        self.stdout.write(f"  kunci enkripsi yang dibutuhkan (sidik): {fingerprints}"
                          " — simpan kuncinya terpisah.")
