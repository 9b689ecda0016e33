"""Outbox messages written in the same transaction as the change they report.

Only the outbox row is written here — the template's name and the variables it needs
(`context`, JSON), never the rendered text: requests/outbox.py renders it (`render`)
and sends it later from the worker, so a slow SMTP server never slows or breaks a web
request, the submission's transaction does no template work, and a row waiting to be
sent holds no tracking link in clear. The text is rendered from the request as it is
when the message is sent. This module never imports the worker: it sends the
`outbox_written` signal, and the receiver connected in RequestsConfig.ready() wakes the
worker after commit. Templates are in templates/notifications/ (Bahasa Indonesia).
"""

from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise

from layanan.core import rows
from layanan.core.site import site_url

from .models import OutboxMessage, Request
from .signals import outbox_written


def write(request, recipient: str, template: str, dedupe: str, context: dict, *, not_before=None,
           channel=OutboxMessage.Channel.EMAIL, agency=None, fresh: bool = False):
    """One message from a template (rendered by the worker when it sends it, `render`).

    `context` holds the template's extra variables; `request`, `agency` and `base_url` are
    added at render time. `fresh`: the request was created in this very transaction, so
    the dedupe key cannot have been written before (no savepoint, see `queue`)."""
    if not recipient:
        return None
    extras = dict(context)
    if not settings.SITE_URL:
        # No configured address: the links use the address being served now (core.site),
        # which the worker does not know.
        extras.setdefault("base_url", site_url())
    return queue(
        request=request, channel=channel, recipient=recipient, template=template,
        context=dump_context(extras), dedupe_key=dedupe[:200], not_before=not_before,
        agency=agency or (request.agency if request and channel == OutboxMessage.Channel.WHATSAPP
                          else None),
        fresh=fresh,
    )


def queue(*, fresh: bool = False, **fields) -> OutboxMessage | None:
    """Write one outbox row (OutboxMessage fields); None if its dedupe_key was written before.

    The row is written in a savepoint, so a duplicate does not spoil the caller's transaction —
    except when `fresh`: the caller knows the key is new (a request created in this transaction),
    and the row is one plain INSERT. A message due now (no `not_before`) wakes the worker after
    commit through `outbox_written`.
    """
    if fresh:
        [message] = rows.insert([OutboxMessage(**fields)], wait=False)  # its pk is read after commit
    else:
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(**fields)
        except IntegrityError:
            return None
    if fields.get("not_before") is None:
        # The receiver (tasks.py) wakes the worker after commit; a rolled-back message wakes nobody.
        outbox_written.send(sender=OutboxMessage, message=message)
    return message


# ---------------------------------------------------------------- the context, stored as JSON

_MODEL, _DATETIME, _DATE = "$model", "$datetime", "$date"


def dump_context(value, where: str = "context"):
    """The template variables as JSON: a model instance becomes {"$model": label, "pk": pk} (loaded
    again at render time), a date or an aware datetime a marked ISO string, a lazy translation its
    text. Anything else raises TypeError: a variable must never vanish from a message unnoticed."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)  # an IntegerChoices member too
    if isinstance(value, float):
        return float(value)
    if isinstance(value, (str, Promise)):
        return str(value)  # a TextChoices member, a lazy translation: its text
    if isinstance(value, models.Model):
        if value.pk is None:
            raise TypeError(f"{where}: an unsaved {type(value).__name__} cannot be stored in a message")
        pk = value.pk if isinstance(value.pk, (int, str)) else str(value.pk)
        return {_MODEL: value._meta.label_lower, "pk": pk}
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return {_DATETIME: value.isoformat()}
    if isinstance(value, date):
        return {_DATE: value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [dump_context(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("$"):
                raise TypeError(f"{where}: key {key!r} cannot be stored in an outbox message")
            out[key] = dump_context(item, f"{where}.{key}")
        return out
    raise TypeError(f"{where}: a {type(value).__name__} cannot be stored in an outbox message")


def load_context(data):
    """`dump_context` undone: model instances are read again (one query per model)."""
    wanted: dict[str, set] = {}
    _references(data, wanted)
    loaded = {}
    for label, pks in wanted.items():
        model = apps.get_model(label)
        found = {str(pk): obj for pk, obj in model._base_manager.in_bulk(
            [model._meta.pk.to_python(pk) for pk in pks]).items()}
        gone = sorted(str(pk) for pk in pks if str(pk) not in found)
        if gone:
            raise LookupError(f"{label} {', '.join(gone)} no longer exists")
        loaded[label] = found
    return _restore(data, loaded)


def _references(data, wanted) -> None:
    if isinstance(data, list):
        for item in data:
            _references(item, wanted)
    elif isinstance(data, dict):
        if _MODEL in data:
            wanted.setdefault(data[_MODEL], set()).add(data["pk"])
        else:
            for item in data.values():
                _references(item, wanted)


def _restore(data, loaded):
    if isinstance(data, list):
        return [_restore(item, loaded) for item in data]
    if isinstance(data, dict):
        if _MODEL in data:
            return loaded[data[_MODEL]][str(data["pk"])]
        if _DATETIME in data:
            return datetime.fromisoformat(data[_DATETIME])
        if _DATE in data:
            return date.fromisoformat(data[_DATE])
        return {key: _restore(item, loaded) for key, item in data.items()}
    return data


# ---------------------------------------------------------------- rendering (the worker)


def render(message: OutboxMessage) -> tuple[str, str]:
    """(subject, body) of a message: the text it was queued or sent with, else rendered now from its
    template, its request as it is now and its stored context, in the site's language."""
    if message.body:
        return message.subject, message.body
    request = None
    if message.request_id:
        request = (Request.objects.select_related("agency", "service", "current_step")
                   .get(pk=message.request_id))
    return render_template(message.template, message.channel, request, load_context(message.context))


def render_template(template: str, channel: str, request, extras: dict) -> tuple[str, str]:
    """Render `notifications/{template}` for a request (or None) with extra variables."""
    context = {"request": request, "agency": request.agency if request else None,
               "base_url": site_url(), **extras}
    # The worker may run with no language active; the messages are in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"notifications/{template}.subject.txt", context).strip()
        body = _render_body(template, context, channel)
    return subject[:300], body


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


def _whatsapp(request, template: str, dedupe: str, context: dict, *, fresh: bool = False):
    """The WhatsApp twin of an applicant's e-mail (layanan/channels sends it; docs/channels.md)."""
    write(request, _applicant_whatsapp(request), template, f"wa:{dedupe}", context,
           channel=OutboxMessage.Channel.WHATSAPP, fresh=fresh)


def request_received(request):
    # The request was created in this transaction: its messages cannot have been written before.
    write(request, _applicant_email(request), "received", f"received:{request.pk}", {}, fresh=True)
    _whatsapp(request, "received", f"received:{request.pk}", {}, fresh=True)


def documents_missing(request, missing):
    n = request.pauses.count()
    write(request, _applicant_email(request), "missing", f"missing:{request.pk}:{n}",
           {"missing": missing})
    _whatsapp(request, "missing", f"missing:{request.pk}:{n}", {"missing": missing})


def request_resolved(request):
    n = request.events.filter(action__in=["reopen"]).count()
    write(request, _applicant_email(request), "resolved", f"resolved:{request.pk}:{n}", {})
    _whatsapp(request, "resolved", f"resolved:{request.pk}:{n}", {})


def sla_alert(request, staff, level: str, status: str, not_before=None):
    """Tell a staff member that a request is at risk or breached (sent in office hours)."""
    write(request, staff.email, "sla_alert",
           f"sla:{request.pk}:{status}:{level}:{staff.pk}:{request.due_at:%Y%m%d%H%M}",
           {"staff": staff, "level": level, "status": status}, not_before=not_before)



def request_finished(request, outcome: str):
    """Rejected, or closed as withdrawn by an officer at the applicant's request: the applicant
    hears it from the agency (the applicant's own withdrawal needs no message)."""
    write(request, _applicant_email(request), outcome, f"{outcome}:{request.pk}", {})
    _whatsapp(request, outcome, f"{outcome}:{request.pk}", {})


def staff_message(request, staff, template: str, dedupe: str, context: dict, *, whatsapp_number: str = "",
                  not_before=None, email: bool = True):
    """A message to an officer about their work (layanan/channels/staff.py): e-mail to the account's
    address, and WhatsApp when the officer opted in with a number. `request` may be None (a digest)."""
    context = {"staff": staff, **context}
    if email:
        write(request, staff.email, template, dedupe, context, not_before=not_before)
    if whatsapp_number:
        write(request, whatsapp_number, template, f"wa:{dedupe}", context, not_before=not_before,
               channel=OutboxMessage.Channel.WHATSAPP, agency=staff.agency)
