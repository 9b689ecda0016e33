from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "layanan.requests"
    label = "requests"
    verbose_name = "Permohonan"

    def ready(self):
        from layanan.agencies.signals import calendar_changed

        from .signals import outbox_written
        from .tasks import calendar_changed_receiver, outbox_written_receiver

        calendar_changed.connect(calendar_changed_receiver, dispatch_uid="requests.recompute_deadlines")
        outbox_written.connect(outbox_written_receiver, dispatch_uid="requests.send_outbox")
