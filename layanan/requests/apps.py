from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "layanan.requests"
    label = "requests"
    verbose_name = "Permohonan"
