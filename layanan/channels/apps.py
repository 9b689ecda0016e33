from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    """WhatsApp and e-mail intake, outbound WhatsApp, staff notices (issue 8)."""

    name = "layanan.channels"
    label = "channels"
    verbose_name = "Kanal WhatsApp dan e-mail"

    def ready(self):
        from django.db.models.signals import post_save

        from layanan.requests.models import Event

        from . import tasks
        from .signals import inbound_stored

        # The webhook view and the mail poller store raw rows and send `inbound_stored`; the worker
        # processes them. Lower layers never import the worker: only this receiver does.
        inbound_stored.connect(tasks.inbound_stored_receiver, dispatch_uid="channels.process_inbound")
        # Staff hear of their work: a timeline event (disposition, assignment, escalation, a step
        # reached) is turned into notices after its transaction commits (staff.py, in the worker).
        post_save.connect(tasks.event_saved_receiver, sender=Event, dispatch_uid="channels.staff_notices")
        # Anonymising a request also forgets what its e-mails kept of the sender.
        from layanan.requests.models import Request

        from .receivers import request_saved

        post_save.connect(request_saved, sender=Request, dispatch_uid="channels.anonymised")
