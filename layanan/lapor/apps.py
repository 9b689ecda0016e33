from django.apps import AppConfig


class LaporConfig(AppConfig):
    name = "layanan.lapor"
    verbose_name = "SP4N-LAPOR!"
