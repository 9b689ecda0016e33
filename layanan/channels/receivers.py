"""Signal receivers of the channels (connected in ChannelsConfig.ready)."""

from django.db import transaction

from layanan.requests import intake

from .models import InboundEmail


def request_saved(sender, instance, created, **kwargs):
    """A request's personal data was removed (lifecycle.anonymise): so is what its e-mails kept of the
    sender (address, subject, Message-ID and any raw copy)."""
    if created or instance.anonymised_at is None:
        return
    rows = InboundEmail.objects.filter(request_id=instance.pk).exclude(
        sender="", subject="", message_id="", raw=""
    )
    names = [name for name in rows.values_list("raw", flat=True) if name]
    if rows.update(sender="", sender_digest="", subject="", message_id="", raw="") and names:
        transaction.on_commit(lambda: intake.remove_files(names))
