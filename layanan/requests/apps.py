from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "layanan.requests"
    label = "requests"
    verbose_name = "Permohonan"

    def ready(self):
        from layanan.agencies.signals import calendar_changed

        from .tasks import calendar_changed_receiver

        calendar_changed.connect(calendar_changed_receiver, dispatch_uid="requests.recompute_deadlines")
