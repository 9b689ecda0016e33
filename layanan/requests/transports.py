"""One transport class per channel behind the outbox (the way Healthchecks' transports.py does it).

`Transport.send(message) -> provider_id` delivers one OutboxMessage or raises; the
worker has rendered its text (`message.subject`, `message.body`) before. It is
called by requests/outbox.py outside any database transaction, and may be called
more than once for the same message (at-least-once delivery): each transport gives
the receiving system a key that is the same on every attempt (the e-mail
Message-ID; for WhatsApp our outbox id as the client reference).
"""

import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from . import notifications
from .models import OutboxMessage

# Used when settings.EMAIL_TIMEOUT is unset: without a timeout a hung SMTP server
# would hold a worker forever. outbox.CLAIM_TIMEOUT must stay well above it.
DEFAULT_EMAIL_TIMEOUT = 20
DEFAULT_WHATSAPP_TIMEOUT = 10


class TransportError(Exception):
    """A delivery failed. `permanent` errors are not retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Transport:
    channel: str = ""

    def send(self, message: OutboxMessage) -> str:
        """Deliver the message; return the provider's id for it. Raise on failure."""
        raise NotImplementedError


def message_id(message: OutboxMessage) -> str:
    """The e-mail Message-ID of an outbox message: the same on every attempt.

    Built from the row's id, its dedupe key and the site's domain (SITE_URL), so a
    mail system (or a person) receiving a resend after a crash sees the same id.
    """
    from layanan.core.site import site_url

    domain = urlsplit(site_url()).hostname or "layanan.local"
    key = re.sub(r"[^A-Za-z0-9.-]+", ".", message.dedupe_key).strip(".")[:80]
    return f"<outbox.{message.pk}.{key}@{domain}>"


class EmailTransport(Transport):
    channel = OutboxMessage.Channel.EMAIL

    def send(self, message: OutboxMessage) -> str:
        msg_id = message_id(message)
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_EMAIL_TIMEOUT
        # Auto-Submitted (RFC 3834): auto-responders do not answer us (no mail loops); a request that
        # came by e-mail gets In-Reply-To / References so the answer is in the citizen's thread.
        headers = {"Message-ID": msg_id, "Auto-Submitted": "auto-generated", **_thread_headers(message)}
        subject, body = notifications.render(message)  # (the worker rendered it already: no work)
        email = EmailMessage(subject, body, to=[message.recipient], headers=headers,
                             connection=get_connection(timeout=timeout))
        email.send()
        return msg_id


def _thread_headers(message: OutboxMessage) -> dict:
    if not message.request_id or message.request.channel != "email":
        return {}
    from layanan.channels.mail import thread_headers  # the e-mail intake (lazy: an upper layer)

    return thread_headers(message)


class WhatsAppTransport(Transport):
    """WhatsApp Business Cloud API: `POST {WHATSAPP_GRAPH_URL}/{version}/{phone_number_id}/messages`.

    The agency's number and token, and the choice of free text (inside the 24-hour window after
    the citizen's last message) or an approved template (outside it), come from layanan/channels
    at send time. Our outbox id travels as `biz_opaque_callback_data` (the client reference) and
    comes back on every delivery status; the Cloud API itself has no idempotency key, so a resend
    after a crash between send and mark may reach the citizen twice (at-least-once, as e-mail).
    Returns the platform's message id (`wamid…`), which statuses and replies refer to.
    """

    channel = OutboxMessage.Channel.WHATSAPP
    # Cloud API error codes: outside the customer-service window (send a template instead), and
    # errors a retry cannot fix (bad parameter, template missing, number not on WhatsApp…).
    RE_ENGAGEMENT = 131047
    PERMANENT_CODES = frozenset({100, 131008, 131009, 131021, 131026, 131051, 132000, 132001, 132005,
                                 132007, 132012, 133010})

    def send(self, message: OutboxMessage) -> str:
        from layanan.channels import whatsapp  # the channel's configuration (lazy: an upper layer)

        try:
            out = whatsapp.outbound(message)
        except whatsapp.NotConnected as exc:
            raise TransportError(str(exc), permanent=True) from None
        try:
            return self._post(out)
        except TransportError as exc:
            if getattr(exc, "code", None) == self.RE_ENGAGEMENT and out.kind == "text":
                # The window closed between our check and the platform's: the template, at once.
                return self._post(whatsapp.outbound(message, force_template=True))
            raise

    def _post(self, out) -> str:
        url = (f"{settings.WHATSAPP_GRAPH_URL}/{settings.WHATSAPP_GRAPH_VERSION}/"
               f"{out.account.phone_number_id}/messages")
        body = json.dumps(out.payload).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Authorization": f"Bearer {out.account.access_token}", "Content-Type": "application/json"})
        timeout = getattr(settings, "WHATSAPP_TIMEOUT", None) or DEFAULT_WHATSAPP_TIMEOUT
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 — configured URL
                answer = json.loads(response.read(65536) or b"{}")
        except urllib.error.HTTPError as exc:
            code = _graph_error_code(exc)
            error = TransportError(f"WhatsApp Cloud API answered HTTP {exc.code} (error {code})",
                                   permanent=exc.code in (400, 404) and code in self.PERMANENT_CODES)
            error.code = code
            raise error from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise TransportError(f"WhatsApp Cloud API unreachable: {type(exc).__name__}") from None
        try:
            return str(answer["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise TransportError("WhatsApp Cloud API answered without a message id") from None


def _graph_error_code(exc) -> int | None:
    try:
        return int(json.loads(exc.read(65536) or b"{}").get("error", {}).get("code"))
    except (ValueError, TypeError, AttributeError):
        return None


TRANSPORTS: dict[str, type[Transport]] = {t.channel: t for t in (EmailTransport, WhatsAppTransport)}


def for_channel(channel: str) -> Transport:
    try:
        return TRANSPORTS[channel]()
    except KeyError:
        raise TransportError(f"no transport for channel {channel!r}", permanent=True) from None
