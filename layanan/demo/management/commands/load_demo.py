from django.core.management.base import BaseCommand

from layanan.demo.loader import DEMO_PASSWORD, load_all


class Command(BaseCommand):
    help = "Load the five seed agencies with their staff and published standards (idempotent)."

    def handle(self, *args, **options):
        agencies = load_all()
        for agency in agencies:
            usernames = ", ".join(agency.staff.order_by("username").values_list("username", flat=True))
            self.stdout.write(f"{agency.code}: {agency.services.count()} layanan — login: {usernames}")
        self.stdout.write(f"Kata sandi semua akun demo: {DEMO_PASSWORD}")
