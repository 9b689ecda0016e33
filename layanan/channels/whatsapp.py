"""WhatsApp Business Cloud API: the webhook's contract, the 24-hour window, outbound payloads, media.

The contract (Meta's WhatsApp Cloud API, docs/channels.md):

- **Verification**: `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…` → the challenge,
  when the token is the agency's; anything else → 403.
- **Events**: `POST` JSON `{"object": "whatsapp_business_account", "entry": [{"changes": [{"field":
  "messages", "value": {"metadata": {"phone_number_id"}, "contacts": [...], "messages": [...],
  "statuses": [...]}}]}]}`, signed: `X-Hub-Signature-256: sha256=<HMAC-SHA256(raw body, app secret)>`.
  A bad or missing signature → 403 and nothing stored. Each message and each status becomes one
  WhatsAppEvent row (unique per message id / id+status: a redelivery stores nothing new) and the
  worker processes them (inbound.py, delivery.py).
- **Sending**: `POST {GRAPH}/{version}/{phone_number_id}/messages` with the bearer token —
  free text inside the customer-service window (24 hours after the citizen's last message),
  an approved template (whatsapp_templates.json, language `id`) outside it. Our outbox id goes
  along as `biz_opaque_callback_data` and comes back on every status.
- **Media**: `GET {GRAPH}/{version}/{media_id}` → `{"url", "mime_type", "file_size", …}`, then
  `GET url` with the bearer token → the bytes (size-capped, content-checked like a web upload).
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from layanan.core.input_guard import without_forbidden
from layanan.core.site import site_url
from layanan.requests import notifications
from layanan.requests.models import OutboxMessage

from .models import WhatsAppAccount, WhatsAppContact, WhatsAppEvent, address_digest

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)  # the customer-service window
TEMPLATES_FILE = Path(__file__).resolve().parent / "whatsapp_templates.json"
MAX_TEXT = 4096  # the Cloud API's limit for a text body
MAX_MEDIA_BYTES = 10 * 1024 * 1024  # as web uploads (intake.MAX_IMAGE_BYTES; PDFs are held to 5 MB there)


# ---------------------------------------------------------------- the webhook


def signature_ok(app_secret: str, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256 is `sha256=` + HMAC-SHA256 of the raw body with the app secret."""
    if not header or not app_secret:
        return False
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


def sign(app_secret: str, body: bytes) -> str:
    """The header value the platform would send (tests, the benchmark)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_token_ok(account: WhatsAppAccount, mode: str, token: str) -> bool:
    return (
        mode == "subscribe"
        and bool(token)
        and hmac.compare_digest(token.encode(), account.verify_token.encode())
    )


class BadPayload(ValueError):
    """The body is not a WhatsApp Business webhook notification."""


def _timestamp(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse_events(account: WhatsAppAccount, body: bytes) -> list[WhatsAppEvent]:
    """The events of one notification for this account's number (unsaved rows)."""
    try:
        # NUL and the other control characters a phone may send are stripped (PostgreSQL cannot
        # store NUL); the webhook answers 200 all the same: a refusal would be redelivered for days.
        data = without_forbidden(json.loads(body))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadPayload("not JSON") from exc
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        raise BadPayload("not a whatsapp_business_account notification")
    events = []
    for entry in _list(data.get("entry")):
        for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
            if not isinstance(change, dict) or change.get("field") != "messages":
                continue
            value = change.get("value") if isinstance(change.get("value"), dict) else {}
            metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
            if str(metadata.get("phone_number_id", "")) != account.phone_number_id:
                log.warning(
                    "whatsapp: a notification for another number reached agency %s", account.agency_id
                )
                continue
            names = {
                str(c.get("wa_id")): (c.get("profile") or {}).get("name", "")
                for c in _list(value.get("contacts"))
                if isinstance(c, dict)
            }
            for message in _list(value.get("messages")):
                if not isinstance(message, dict) or not message.get("id") or not message.get("from"):
                    continue
                wa_id = str(message["from"])
                events.append(
                    WhatsAppEvent(
                        account=account,
                        kind=WhatsAppEvent.Kind.MESSAGE,
                        external_id=str(message["id"])[:200],
                        contact_digest=address_digest("wa", wa_id),
                        sent_at=_timestamp(message.get("timestamp")),
                        payload=json.dumps({"message": message, "profile_name": names.get(wa_id, "")}),
                    )
                )
            for status in _list(value.get("statuses")):
                if not isinstance(status, dict) or not status.get("id") or not status.get("status"):
                    continue
                events.append(
                    WhatsAppEvent(
                        account=account,
                        kind=WhatsAppEvent.Kind.STATUS,
                        external_id=f"{status['id']}:{status['status']}"[:200],
                        sent_at=_timestamp(status.get("timestamp")),
                        payload=json.dumps({"status": status}),
                    )
                )
    return events


def _list(value) -> list:
    return value if isinstance(value, list) else []


def store_events(events: list[WhatsAppEvent]) -> list[WhatsAppEvent]:
    """Insert the events; a redelivered one (same id) is skipped. Returns the rows stored now."""
    stored = []
    for event in events:
        try:
            with transaction.atomic():
                event.save()
            stored.append(event)
        except IntegrityError:
            continue  # the platform redelivered an event we already have
    return stored


# ---------------------------------------------------------------- accounts, contacts, the window


def account_for_agency(agency_id) -> WhatsAppAccount | None:
    return WhatsAppAccount.objects.filter(agency_id=agency_id, active=True).first()


def contact_for(account: WhatsAppAccount, wa_id: str) -> WhatsAppContact | None:
    return WhatsAppContact.objects.filter(account=account, digest=address_digest("wa", wa_id)).first()


def window_open(account: WhatsAppAccount, wa_id: str, now=None) -> bool:
    """Whether the citizen wrote to this number within the last 24 hours (free text allowed)."""
    now = now or timezone.now()
    contact = contact_for(account, wa_id)
    return bool(contact and contact.last_inbound_at and contact.last_inbound_at > now - WINDOW)


# ---------------------------------------------------------------- outbound


def queue_text(
    account: WhatsAppAccount,
    wa_id: str,
    text: str,
    dedupe: str,
    *,
    request=None,
    template: str = "wa_dialogue",
) -> OutboxMessage | None:
    """A WhatsApp text to a citizen, through the outbox (written in the caller's transaction)."""
    return notifications.queue(  # None: already written (the same event processed twice)
        request=request,
        channel=OutboxMessage.Channel.WHATSAPP,
        recipient=wa_id,
        template=template,
        subject="WhatsApp",
        body=text[:MAX_TEXT],
        dedupe_key=dedupe[:200],
        agency_id=account.agency_id,
    )


@lru_cache(maxsize=1)
def _templates_cached(mtime: float) -> dict:
    return json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))


def templates() -> dict:
    """The approved templates (whatsapp_templates.json): our template name → the platform's."""
    return {
        k: v for k, v in _templates_cached(TEMPLATES_FILE.stat().st_mtime).items() if not k.startswith("_")
    }


@dataclass
class Outbound:
    account: WhatsAppAccount
    payload: dict
    kind: str  # "text" or "template"


class NotConnected(Exception):
    """The agency has no active WhatsApp number (a permanent transport error)."""

    permanent = True


def outbound(message: OutboxMessage, now=None, *, force_template: bool = False) -> Outbound:
    """The Cloud API request for one outbox message: free text inside the window, else a template."""
    agency_id = message.agency_id or (message.request.agency_id if message.request_id else None)
    account = account_for_agency(agency_id) if agency_id else None
    if account is None:
        raise NotConnected("WhatsApp channel is not connected for this agency (no active number)")
    to = "".join(ch for ch in message.recipient if ch.isdigit())
    payload = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "biz_opaque_callback_data": f"outbox:{message.pk}",
    }
    if not force_template and window_open(account, to, now):
        body = notifications.render(message)[1]  # (rendered by the worker before it sends: no work)
        payload.update(type="text", text={"preview_url": False, "body": body[:MAX_TEXT]})
        return Outbound(account, payload, "text")
    spec = templates().get(message.template) or templates().get("default")
    if spec is None:
        raise NotConnected(f"no approved WhatsApp template registered for {message.template!r}")
    parameters = [{"type": "text", "text": value} for value in template_values(message, spec)]
    template = {"name": spec["name"], "language": {"code": spec.get("language", "id")}}
    if parameters:
        template["components"] = [{"type": "body", "parameters": parameters}]
    payload.update(type="template", template=template)
    return Outbound(account, payload, "template")


def template_values(message: OutboxMessage, spec: dict) -> list[str]:
    """The template's body parameters, in order, from the message and its request."""
    from layanan.requests import receipt

    request = message.request
    values = {
        "agency": request.agency.name if request else "",
        "code": request.tracking_code if request else "",
        "service": request.service.name if request else "",
        "status": request.get_state_display() if request else "",
        "tracking_url": receipt.tracking_url(request) if request and request.tracking_secret else site_url(),
        "desk_url": f"{site_url()}/kelola/permohonan/{request.pk}/" if request else site_url(),
        "subject": notifications.render(message)[0] if "subject" in spec.get("parameters", []) else "",
    }
    if request and request.due_at:
        local = timezone.localtime(request.due_at, timezone=_zone(request.agency.timezone))
        values["due"] = f"{local:%d-%m-%Y %H:%M} {request.agency.timezone_abbr}"
    else:
        values["due"] = "-"
    # A parameter may not be empty or hold newlines / more than 4 spaces in a row (platform rule).
    return [
        (" ".join(str(values.get(name, "")).split()) or "-")[:1000] for name in spec.get("parameters", [])
    ]


def _zone(name):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


# ---------------------------------------------------------------- the Graph API (media)


class GraphError(Exception):
    def __init__(self, message: str, *, status: int = 0, code: int | None = None):
        super().__init__(message)
        self.status, self.code = status, code


def graph_url(path: str) -> str:
    return f"{settings.WHATSAPP_GRAPH_URL}/{settings.WHATSAPP_GRAPH_VERSION}/{path.lstrip('/')}"


def _open(request: urllib.request.Request):
    timeout = getattr(settings, "WHATSAPP_TIMEOUT", 10)
    try:
        return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 — the configured Graph URL
    except urllib.error.HTTPError as exc:
        code = None
        try:
            code = json.loads(exc.read(65536) or b"{}").get("error", {}).get("code")
        except (ValueError, AttributeError):
            pass
        raise GraphError(f"Graph API answered HTTP {exc.code}", status=exc.code, code=code) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise GraphError(f"Graph API unreachable: {type(exc).__name__}") from None


def download_media(
    account: WhatsAppAccount, media_id: str, *, limit: int = MAX_MEDIA_BYTES
) -> tuple[bytes, str]:
    """The two-step media download: id → URL (and declared size) → bytes. Raises GraphError, or
    ValueError when the file is larger than `limit` (checked before and while reading)."""
    auth = {"Authorization": f"Bearer {account.access_token}"}
    with _open(urllib.request.Request(graph_url(media_id), headers=auth)) as response:
        info = json.loads(response.read(65536) or b"{}")
    url = info.get("url")
    if not url:
        raise GraphError("the media has no URL")
    try:
        declared = int(info.get("file_size") or 0)
    except (TypeError, ValueError):
        declared = 0
    if declared > limit:
        raise ValueError(declared)
    with _open(urllib.request.Request(url, headers=auth)) as response:
        data = response.read(limit + 1)
    if len(data) > limit:
        raise ValueError(len(data))
    return data, str(info.get("mime_type", ""))
