"""Outbox messages written in the same transaction as the change they report.

Only the outbox row is written here; requests/outbox.py sends it later from
the worker, so a slow SMTP server never slows or breaks a web request. This
module never imports the worker: after commit it sends the `outbox_written`
signal, and the receiver connected in RequestsConfig.ready() wakes the worker.
Templates are in templates/notifications/ (Bahasa Indonesia).
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from .models import OutboxMessage
from .signals import outbox_written


def _write(request, recipient: str, template: str, dedupe: str, context: dict, *, not_before=None):
    if not recipient:
        return None
    context = {"request": request, "agency": request.agency if request else None,
               "base_url": settings.SITE_URL, **context}
    subject = render_to_string(f"notifications/{template}.subject.txt", context).strip()
    body = render_to_string(f"notifications/{template}.txt", context)
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not spoil the caller's transaction
            message = OutboxMessage.objects.create(
                request=request, channel=OutboxMessage.Channel.EMAIL, recipient=recipient,
                template=template, subject=subject[:300], body=body, dedupe_key=dedupe[:200],
                not_before=not_before,
            )
    except IntegrityError:
        return None
    if not_before is None:
        # robust: a queue that is down must not turn a committed change into an error page;
        # the periodic run sends the message a minute later.
        transaction.on_commit(lambda: outbox_written.send(sender=OutboxMessage, message_id=message.pk),
                              robust=True)
    return message


def _applicant_email(request) -> str:
    return request.applicant_email


def request_received(request):
    _write(request, _applicant_email(request), "received", f"received:{request.pk}", {})


def documents_missing(request, missing):
    n = request.pauses.count()
    _write(request, _applicant_email(request), "missing", f"missing:{request.pk}:{n}",
           {"missing": missing})


def request_resolved(request):
    n = request.events.filter(action__in=["reopen"]).count()
    _write(request, _applicant_email(request), "resolved", f"resolved:{request.pk}:{n}", {})


def sla_alert(request, staff, level: str, status: str, not_before=None):
    """Tell a staff member that a request is at risk or breached (sent in office hours)."""
    _write(request, staff.email, "sla_alert",
           f"sla:{request.pk}:{status}:{level}:{staff.pk}:{request.due_at:%Y%m%d%H%M}",
           {"staff": staff, "level": level, "status": status}, not_before=not_before)



def request_finished(request, outcome: str):
    """Rejected, or closed as withdrawn by an officer at the applicant's request: the applicant
    hears it from the agency (the applicant's own withdrawal needs no message)."""
    _write(request, _applicant_email(request), outcome, f"{outcome}:{request.pk}", {})
