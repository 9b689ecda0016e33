"""manage.py anonymise_expired [--dry-run] [--agency CODE]

Anonymises finished requests whose agency's retention period has ended (the
nightly worker task does the same); --dry-run only counts them.
"""

from django.core.management.base import BaseCommand, CommandError

from layanan.agencies.models import Agency
from layanan.privacy import retention


class Command(BaseCommand):
    help = "Anonimkan permohonan selesai yang melewati masa simpan data pribadi instansinya."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="hanya hitung, tanpa mengubah data")
        parser.add_argument("--agency", metavar="CODE", help="hanya instansi ini")

    def handle(self, *args, dry_run=False, agency=None, **options):
        target = None
        if agency:
            target = Agency.objects.filter(code=agency).first()
            if target is None:
                raise CommandError(f"Instansi dengan kode {agency} tidak ditemukan.")
        report = retention.run(dry_run=dry_run, agency=target)
        verb = "akan dianonimkan" if dry_run else "dianonimkan"
        for code, count in report.anonymised.items():
            guests = report.guests.get(code, 0)
            if count or guests:
                self.stdout.write(f"{code}: {count} permohonan {verb}, {guests} baris buku tamu")
        self.stdout.write(f"Jumlah: {report.total} permohonan {verb}.")
        if report.failed:
            raise CommandError(f"{report.failed} permohonan gagal dianonimkan; lihat log.")
