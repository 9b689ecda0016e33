"""manage.py restore ARCHIVE [--yes] — put a `manage.py backup` archive back.

Checks first, overwrites nothing until they pass: the archive is whole, it is
from the same database engine, the configured FIELD_ENCRYPTION_KEYS read its
key check, and the target database is empty (or --yes). Then restores the
database and the media folder and compares the row counts with the manifest.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from layanan.privacy.backup import BackupError, restore


class Command(BaseCommand):
    help = "Pulihkan arsip dari manage.py backup (basis data dan media), setelah memeriksa kunci enkripsi."
    requires_system_checks = []  # the target may be an empty database

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="ARCHIVE")
        parser.add_argument("--yes", action="store_true",
                            help="timpa basis data yang sudah berisi data")

    def handle(self, *args, archive, yes=False, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"{path}: berkas tidak ditemukan.")
        try:
            result = restore(path, overwrite=yes)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(f"Dipulihkan dari cadangan {manifest['created_at']} ({manifest['app_version']}).")
        for label in sorted(set(manifest["counts"]) | set(result.counts)):
            expected, found = manifest["counts"].get(label), result.counts.get(label)
            mark = "" if expected == found else "   <-- berbeda"
            self.stdout.write(f"  {label:40} {found if found is not None else '-':>10}"
                              f"  (cadangan: {expected if expected is not None else '-'}){mark}")
        if result.media_moved_to:
            self.stdout.write(f"Folder media lama disimpan di {result.media_moved_to}.")
        if result.unapplied:
            self.stdout.write(f"Rilis ini punya {len(result.unapplied)} migrasi yang belum ada di cadangan: "
                              "jalankan manage.py migrate.")
        if result.blind_index_changed:
            self.stdout.write("Kunci indeks pencarian berbeda: jalankan manage.py privacy_reindex.")
        if result.differences:
            raise CommandError(f"Jumlah baris berbeda dari manifest pada {len(result.differences)} tabel.")
        self.stdout.write(self.style.SUCCESS("Pemulihan selesai; jumlah baris sama dengan manifest."))
