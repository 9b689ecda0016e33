"""manage.py privacy_reindex — rebuild the blind index used to find an applicant's requests.

Needed after SECRET_KEY changed (the index is keyed with it) and once for
requests made before the index existed.
"""

from django.core.management.base import BaseCommand

from layanan.privacy.subjects import reindex


class Command(BaseCommand):
    help = "Bangun ulang indeks pencarian data pribadi (NIK, telepon, e-mail) setelah SECRET_KEY diganti."

    def handle(self, *args, **options):
        self.stdout.write(f"{reindex()} kunci pencarian ditulis.")
