"""One transport class per channel behind the outbox (the way Healthchecks' transports.py does it).

`Transport.send(message) -> provider_id` delivers one OutboxMessage or raises. It is
called by requests/outbox.py outside any database transaction, and may be called
more than once for the same message (at-least-once delivery): each transport gives
the receiving system a key that is the same on every attempt (the e-mail
Message-ID; the WhatsApp provider's idempotency key when that channel is built).
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .models import OutboxMessage

# Used when settings.EMAIL_TIMEOUT is unset: without a timeout a hung SMTP server
# would hold a worker forever. outbox.CLAIM_TIMEOUT must stay well above it.
DEFAULT_EMAIL_TIMEOUT = 20


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
    domain = urlsplit(settings.SITE_URL).hostname or "layanan.local"
    key = re.sub(r"[^A-Za-z0-9.-]+", ".", message.dedupe_key).strip(".")[:80]
    return f"<outbox.{message.pk}.{key}@{domain}>"


class EmailTransport(Transport):
    channel = OutboxMessage.Channel.EMAIL

    def send(self, message: OutboxMessage) -> str:
        msg_id = message_id(message)
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_EMAIL_TIMEOUT
        email = EmailMessage(message.subject, message.body, to=[message.recipient],
                             headers={"Message-ID": msg_id},
                             connection=get_connection(timeout=timeout))
        email.send()
        return msg_id


class WhatsAppTransport(Transport):
    """Placeholder: the WhatsApp channel is built in its own issue.

    When it is, `send` passes the provider an idempotency key derived like
    `message_id()` (row id + dedupe key), so a resend after a crash is dropped or
    recognised by the provider, and returns the provider's message id.
    """

    channel = OutboxMessage.Channel.WHATSAPP

    def send(self, message: OutboxMessage) -> str:
        raise TransportError("WhatsApp channel is not connected: no WhatsApp provider is configured",
                             permanent=True)


TRANSPORTS: dict[str, type[Transport]] = {t.channel: t for t in (EmailTransport, WhatsAppTransport)}


def for_channel(channel: str) -> Transport:
    try:
        return TRANSPORTS[channel]()
    except KeyError:
        raise TransportError(f"no transport for channel {channel!r}", permanent=True) from None
