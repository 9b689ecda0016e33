from django.core.management.base import BaseCommand

from layanan.demo.loader import DEMO_PASSWORD, load_all, logins_summary


class Command(BaseCommand):
    help = "Load the five seed agencies with their staff and published standards (idempotent)."

    def handle(self, *args, **options):
        agencies = load_all()
        for agency in agencies:
            self.stdout.write(f"{agency.code} — {agency.name}: {agency.services.count()} layanan")
            for line in logins_summary(agency):
                self.stdout.write(line)
        self.stdout.write(f"Kata sandi semua akun demo: {DEMO_PASSWORD}")
