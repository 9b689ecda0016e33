"""Outbox messages written in the same transaction as the change they report.

Only the outbox row is written here; requests/outbox.py sends it later from
the worker, so a slow SMTP server never slows or breaks a web request. This
module never imports the worker: after commit it sends the `outbox_written`
signal, and the receiver connected in RequestsConfig.ready() wakes the worker.
Templates are in templates/notifications/ (Bahasa Indonesia).
"""

from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from layanan.core.site import site_url

from .models import OutboxMessage
from .signals import outbox_written


def _write(request, recipient: str, template: str, dedupe: str, context: dict, *, not_before=None,
           channel=OutboxMessage.Channel.EMAIL, agency=None):
    if not recipient:
        return None
    context = {"request": request, "agency": request.agency if request else None,
               "base_url": site_url(), **context}
    subject = render_to_string(f"notifications/{template}.subject.txt", context).strip()
    body = _render_body(template, context, channel)
    return queue(
        request=request, channel=channel, recipient=recipient,
        template=template, subject=subject[:300], body=body, dedupe_key=dedupe[:200],
        not_before=not_before,
        agency=agency or (request.agency if request and channel == OutboxMessage.Channel.WHATSAPP
                          else None),
    )


def queue(**fields) -> OutboxMessage | None:
    """Write one outbox row (OutboxMessage fields); None if its dedupe_key was written before.

    The row is written in a savepoint, so a duplicate does not spoil the caller's transaction. A
    message due now (no `not_before`) wakes the worker after commit through `outbox_written`.
    """
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(**fields)
    except IntegrityError:
        return None
    if fields.get("not_before") is None:
        # robust: a queue that is down must not turn a committed change into an error page;
        # the periodic run sends the message a minute later.
        transaction.on_commit(lambda: outbox_written.send(sender=OutboxMessage, message_id=message.pk),
                              robust=True)
    return message


def _render_body(template, context, channel):
    """The text: `{template}.whatsapp.txt` (short, no e-mail courtesies) for WhatsApp when it exists."""
    if channel == OutboxMessage.Channel.WHATSAPP:
        try:
            return render_to_string(f"notifications/{template}.whatsapp.txt", context).strip()
        except TemplateDoesNotExist:
            pass
    return render_to_string(f"notifications/{template}.txt", context)


def _applicant_email(request) -> str:
    return request.applicant_email


def _applicant_whatsapp(request) -> str:
    """The applicant's WhatsApp number (digits, as the Cloud API takes it) when they consented."""
    if not getattr(request, "whatsapp_consent", False) or not request.applicant_phone:
        return ""
    return "".join(ch for ch in request.applicant_phone if ch.isdigit())


def _whatsapp(request, template: str, dedupe: str, context: dict):
    """The WhatsApp twin of an applicant's e-mail (layanan/channels sends it; docs/channels.md)."""
    _write(request, _applicant_whatsapp(request), template, f"wa:{dedupe}", context,
           channel=OutboxMessage.Channel.WHATSAPP)


def request_received(request):
    _write(request, _applicant_email(request), "received", f"received:{request.pk}", {})
    _whatsapp(request, "received", f"received:{request.pk}", {})


def documents_missing(request, missing):
    n = request.pauses.count()
    _write(request, _applicant_email(request), "missing", f"missing:{request.pk}:{n}",
           {"missing": missing})
    _whatsapp(request, "missing", f"missing:{request.pk}:{n}", {"missing": missing})


def request_resolved(request):
    n = request.events.filter(action__in=["reopen"]).count()
    _write(request, _applicant_email(request), "resolved", f"resolved:{request.pk}:{n}", {})
    _whatsapp(request, "resolved", f"resolved:{request.pk}:{n}", {})


def sla_alert(request, staff, level: str, status: str, not_before=None):
    """Tell a staff member that a request is at risk or breached (sent in office hours)."""
    _write(request, staff.email, "sla_alert",
           f"sla:{request.pk}:{status}:{level}:{staff.pk}:{request.due_at:%Y%m%d%H%M}",
           {"staff": staff, "level": level, "status": status}, not_before=not_before)



def request_finished(request, outcome: str):
    """Rejected, or closed as withdrawn by an officer at the applicant's request: the applicant
    hears it from the agency (the applicant's own withdrawal needs no message)."""
    _write(request, _applicant_email(request), outcome, f"{outcome}:{request.pk}", {})
    _whatsapp(request, outcome, f"{outcome}:{request.pk}", {})


def staff_message(request, staff, template: str, dedupe: str, context: dict, *, whatsapp_number: str = "",
                  not_before=None, email: bool = True):
    """A message to an officer about their work (layanan/channels/staff.py): e-mail to the account's
    address, and WhatsApp when the officer opted in with a number. `request` may be None (a digest)."""
    context = {"staff": staff, **context}
    if email:
        _write(request, staff.email, template, dedupe, context, not_before=not_before)
    if whatsapp_number:
        _write(request, whatsapp_number, template, f"wa:{dedupe}", context, not_before=not_before,
               channel=OutboxMessage.Channel.WHATSAPP, agency=staff.agency)
