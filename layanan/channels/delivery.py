"""Delivery statuses from the webhook (sent, delivered, read, failed), stored on the outbox row.

The platform may report them out of order (a "delivered" after the "read"): a status only moves
forward. A `failed` message to a citizen falls back to e-mail when they gave an address, else it
opens a "call the citizen" task at the desk (CallTask, with a notice for the front desk).
"""

import json
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layanan.requests import notifications
from layanan.requests.models import OutboxMessage

from .models import CallTask, WhatsAppEvent

log = logging.getLogger(__name__)

ORDER = {"": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}
LABELS = {
    "sent": gettext_lazy("terkirim"),
    "delivered": gettext_lazy("diterima"),
    "read": gettext_lazy("dibaca"),
    "failed": gettext_lazy("gagal"),
}


def process_statuses(limit: int = 1000) -> int:
    done = 0
    ids = list(
        WhatsAppEvent.objects.filter(kind=WhatsAppEvent.Kind.STATUS, processed_at__isnull=True)
        .order_by("sent_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        done += apply_status(pk)
    return done


def _find(status: dict, account_agency_id) -> OutboxMessage | None:
    reference = str(status.get("biz_opaque_callback_data", ""))
    found = None
    if reference.startswith("outbox:") and reference[7:].isdigit():
        found = OutboxMessage.objects.filter(
            pk=int(reference[7:]), channel=OutboxMessage.Channel.WHATSAPP
        ).first()
    if found is None:
        found = OutboxMessage.objects.filter(
            provider_id=str(status.get("id", "")), channel=OutboxMessage.Channel.WHATSAPP
        ).first()
    if (
        found is not None
        and (found.agency_id or (found.request.agency_id if found.request_id else None)) != account_agency_id
    ):
        return None  # another agency's message: never touched from this number's webhook
    return found


def apply_status(event_id: int) -> int:
    with transaction.atomic():
        event = (
            WhatsAppEvent.objects.select_for_update()
            .select_related("account")
            .filter(pk=event_id, processed_at__isnull=True)
            .first()
        )
        if event is None:
            return 0
        status = (json.loads(event.payload or "{}")).get("status") or {}
        value = str(status.get("status", ""))
        message = _find(status, event.account.agency_id)
        event.outcome = "unknown_message"
        if message is not None and value in ORDER:
            locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
            if ORDER[value] > ORDER.get(locked.delivery_status, 0):
                locked.delivery_status = value
                locked.delivery_updated_at = event.sent_at or timezone.now()
                fields = ["delivery_status", "delivery_updated_at"]
                if value == "failed":
                    errors = status.get("errors") or [{}]
                    first = errors[0] if isinstance(errors, list) and errors else {}
                    locked.delivery_error = f"{first.get('code', '')} {first.get('title', '')}".strip()[:500]
                    fields.append("delivery_error")
                locked.save(update_fields=fields)
                if value == "failed":
                    fall_back(locked)
            event.outcome = value
        event.processed_at, event.payload = timezone.now(), ""
        event.save(update_fields=["processed_at", "payload", "outcome"])
    return 1


def fall_back(message: OutboxMessage) -> None:
    """A WhatsApp message to a citizen was not delivered: e-mail it, or ask the desk to call."""
    request = message.request
    if request is None or message.template.startswith("staff"):
        return  # a dialogue reply without a request, or a staff message: nothing to fall back to
    if request.applicant_email:
        _email_copy(message, request)
        return
    task, created = CallTask.objects.get_or_create(
        outbox=message,
        defaults={
            "request": request,
            "reason": _(
                "Pesan WhatsApp “%(what)s” tidak sampai (%(error)s). Pemohon tidak memberi alamat e-mail: "
                "hubungi lewat telepon."
            )
            % {"what": _subject_of(message), "error": message.delivery_error or _("gagal")},
        },
    )
    if created:
        from . import staff

        staff.call_task_opened(task)


def _subject_of(message: OutboxMessage) -> str:
    """The subject the message was sent with (rendered now if the worker has not kept it yet)."""
    try:
        return notifications.render(message)[0] or message.template
    except Exception:  # noqa: BLE001 — its template or context is gone: the template's name will do
        return message.template


def _email_copy(message: OutboxMessage, request) -> None:
    """The e-mail version of the notification (rendered by the worker when it sends it), else the
    WhatsApp text itself under a plain subject."""
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    from layanan.requests import receipt

    dedupe = f"wa-fallback:{message.pk}"
    try:
        get_template(f"notifications/{message.template}.txt")
    except TemplateDoesNotExist:  # a reply in the WhatsApp conversation: no e-mail template
        notifications.queue(
            request=request,
            channel=OutboxMessage.Channel.EMAIL,
            recipient=request.applicant_email,
            template=message.template,
            subject=_("[%(agency)s] Permohonan %(code)s")
            % {"agency": request.agency.name, "code": request.tracking_code},
            body=notifications.render(message)[1],
            dedupe_key=dedupe,
        )
        return
    notifications.write(
        request, request.applicant_email, message.template, dedupe, {"missing": receipt.missing_now(request)}
    )
