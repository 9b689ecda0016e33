"""Sends outbox messages: at most once each, with retries and backoff."""

import logging
from datetime import timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def pending(now=None):
    now = now or timezone.now()
    return (OutboxMessage.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now)).order_by("id"))


def send_pending(limit: int = 200, now=None) -> int:
    """Send what is due. Safe to run in several workers at once."""
    sent = 0
    for pk in list(pending(now).values_list("pk", flat=True)[:limit]):
        sent += send_one(pk)
    return sent


def send_one(pk: int) -> int:
    with transaction.atomic():
        # Row lock (skip_locked): two workers never send the same message.
        message = (OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(pk=pk, sent_at__isnull=True).first())
        if message is None:
            return 0
        try:
            _deliver(message)
        except Exception as exc:  # noqa: BLE001 — any transport error is retried later
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            # Exponential backoff: 1, 2, 4 … minutes.
            message.not_before = timezone.now() + timedelta(minutes=2 ** (message.attempts - 1))
            message.save(update_fields=["attempts", "last_error", "not_before"])
            log.warning("outbox %s failed (%s attempts): %s", pk, message.attempts, exc)
            return 0
        message.sent_at = timezone.now()
        message.attempts += 1
        message.save(update_fields=["sent_at", "attempts"])
        return 1


def _deliver(message: OutboxMessage) -> None:
    if message.channel == OutboxMessage.Channel.EMAIL:
        EmailMessage(message.subject, message.body, to=[message.recipient],
                     headers={"Message-ID": f"<outbox-{message.pk}-{message.dedupe_key[:40]}@layanan>"
                              .replace(":", ".")}).send()
    else:
        raise NotImplementedError(f"channel {message.channel} is not connected yet")
