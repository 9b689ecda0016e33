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
        from . import published

        calendar_changed.connect(published.calendar_changed, dispatch_uid="requests.published_calendar")
        outbox_written.connect(outbox_written_receiver, dispatch_uid="requests.send_outbox")

        # Who holds which step depends on units, positions and active staff: forget the cached
        # structure of the agency when any of them changes (requests.access).
        from django.db.models.signals import post_delete, post_save

        from layanan.accounts.models import Position, User
        from layanan.agencies.models import Holiday, Unit

        from .receivers import holiday_changed, staffing_changed

        for model in (Unit, Position, User):
            for signal in (post_save, post_delete):
                signal.connect(staffing_changed, sender=model,
                               dispatch_uid=f"access.{model.__name__}.{id(signal)}")
        # A holiday added or moved anywhere (calendar screen or Django admin) moves deadlines.
        for signal in (post_save, post_delete):
            signal.connect(holiday_changed, sender=Holiday, dispatch_uid=f"requests.holiday.{id(signal)}")
        # The published standards each process keeps for the web form (requests.published):
        # any change of what they are made of (or of what a page may read through them: the
        # region, a unit) renews them everywhere.
        from layanan.agencies.models import Agency, Region
        from layanan.api.models import ServiceOptions
        from layanan.standards.models import Requirement, Service, ServiceStandard, Step

        from .published import part_changed

        for model in (Region, Agency, Unit, Service, ServiceStandard, Requirement, Step, ServiceOptions):
            for signal in (post_save, post_delete):
                signal.connect(part_changed, sender=model,
                               dispatch_uid=f"published.{model.__name__}.{id(signal)}")
