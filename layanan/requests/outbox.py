"""Sends outbox messages: claim → send → mark. At-least-once, with a stable Message-ID.

1. **Claim** (a short transaction, committed): pick one due message and mark it
   claimed (`claimed_at`, a fresh `claim_token`, `attempts + 1`). On PostgreSQL
   the pick uses `SELECT … FOR UPDATE SKIP LOCKED`; everywhere the claim itself is
   a conditional UPDATE (`… WHERE claimed_at IS NULL OR claimed_at < now -
   CLAIM_TIMEOUT`), so two workers never claim the same message.
2. **Render and send** outside any transaction: the text is rendered from the
   row's template and context (notifications.render; a row queued with its text
   keeps it), then the channel's transport (requests/transports.py) delivers it.
   No row or database lock is held while an SMTP server thinks: a hung server
   costs the worker EMAIL_TIMEOUT, never the site. A message that cannot be
   rendered (its template or request is gone) fails for good, like a permanent
   transport error, and the worker goes on with the next one.
3. **Mark** (a new short transaction): sent (`sent_at`, the provider's id), or
   failed (`last_error`, `not_before` with exponential backoff 1, 2, 4 … minutes)
   and the claim released; the rendered subject and body are kept on the row (a
   retry sends the same text) and, once sent, the context is dropped. After
   MAX_ATTEMPTS, or on a permanent error, the message stays failed
   (`failed_at`), visible to operators (`failed()`).

The guarantee is **at-least-once**, not exactly-once: a worker that dies after the
SMTP server accepted a message and before the mark commits leaves the message
claimed; once the claim is older than CLAIM_TIMEOUT another run sends it again.
The resend carries the same Message-ID (transports.message_id), so a receiving
mail system or reader can recognise it as the same message. In the normal case
(no crash) each message is sent once.
"""

import logging
import uuid
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import notifications, transports
from .models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claim older than this is abandoned (its worker died) and may be claimed again.
# Must stay well above the longest send (EMAIL_TIMEOUT, transports.DEFAULT_EMAIL_TIMEOUT).
CLAIM_TIMEOUT = timedelta(minutes=10)
# A run stops after this many failures in a row (the SMTP server is probably down or
# hung); the next run, a minute later, tries again.
STOP_AFTER_FAILURES = 3


class RenderError(transports.TransportError):
    """The message's text could not be rendered (its template or its request is gone)."""


def due(now=None):
    """Messages a worker may claim now."""
    now = now or timezone.now()
    return (OutboxMessage.objects
            .filter(sent_at__isnull=True, failed_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)))


def pending(now=None):
    """Due messages in the order they are sent (kept for callers of the old name)."""
    return due(now).order_by("id")


def failed():
    """Messages the worker gave up on, newest first (docs/operations.md)."""
    return OutboxMessage.objects.filter(failed_at__isnull=False).order_by("-failed_at")


def claim(now=None, limit: int = 1) -> list[OutboxMessage]:
    """Claim up to `limit` due messages for this worker and commit the claim."""
    now = now or timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        _give_up_on_abandoned_last_attempts(now)
        candidates = pending(now)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        # The conditional UPDATE is what makes a claim exclusive (SQLite has no row locks).
        due(now).filter(pk__in=ids).update(claimed_at=now, claim_token=token, attempts=F("attempts") + 1)
        return list(OutboxMessage.objects.filter(claim_token=token).order_by("id"))


def send_pending(limit: int = 200, now=None) -> int:
    """Send what is due, one message at a time. Safe to run in several workers at once."""
    _refuse_inside_transaction()
    sent = failures_in_a_row = 0
    for _ in range(limit):
        claimed = claim(now=now, limit=1)
        if not claimed:
            break
        outcome = _send_claimed(claimed[0], now)
        if outcome == "sent":
            sent += 1
            failures_in_a_row = 0
        elif outcome == "failed":  # (a message that cannot be rendered says nothing of the server)
            failures_in_a_row += 1
            if failures_in_a_row >= STOP_AFTER_FAILURES:
                log.warning("outbox: %s failures in a row, stopping this run", failures_in_a_row)
                break
    return sent


def send_claimed(message: OutboxMessage, now=None) -> bool:
    """Render and send one claimed message (no transaction open), then mark it. True if sent."""
    return _send_claimed(message, now) == "sent"


def _send_claimed(message: OutboxMessage, now) -> str:
    """"sent", "failed" (the transport failed) or "unrenderable"."""
    _refuse_inside_transaction()
    try:
        # On the instance: the transports read message.subject and message.body.
        message.subject, message.body = notifications.render(message)
    except Exception as exc:  # noqa: BLE001 — recorded on the message, never stops the worker
        # A database that is down is worth a retry; a template or request that is gone is not.
        error = RenderError(f"the message could not be rendered from notifications/{message.template} "
                            f"({type(exc).__name__}: {exc})", permanent=not isinstance(exc, DatabaseError))
        _mark_failed(message, error, now or timezone.now())
        return "unrenderable"
    try:
        provider_id = transports.for_channel(message.channel).send(message)
    except Exception as exc:  # noqa: BLE001 — any transport error is recorded and retried later
        _mark_failed(message, exc, now or timezone.now())
        return "failed"
    _mark_sent(message, provider_id, now or timezone.now())
    return "sent"


def _refuse_inside_transaction() -> None:
    # A send inside a transaction would hold its locks (on SQLite: the database's write lock)
    # for as long as the mail server takes to answer.
    if connection.in_atomic_block:
        raise RuntimeError("outbox messages are sent outside any database transaction")


def _text(message: OutboxMessage) -> dict:
    """The text as sent (or tried), kept on the row for the operators' screens and later readers."""
    return {"subject": message.subject[:300], "body": message.body} if message.body else {}


def _mark_sent(message: OutboxMessage, provider_id: str, now) -> None:
    # Once sent, the row keeps the text; its context (a note, a list of documents) is not needed.
    done = {"sent_at": now, "provider_id": provider_id[:255], "context": {}, **_text(message)}
    with transaction.atomic():
        ours = OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token)
        if not ours.update(claimed_at=None, claim_token=None, **done):
            # Our claim expired and another worker holds it now. The message did go out,
            # so record that (the other worker may send it again: at-least-once).
            OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(**done)
            log.warning("outbox %s: sent after its claim had expired", message.pk)


def _mark_failed(message: OutboxMessage, exc: Exception, now) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    fields = {"last_error": error, "claimed_at": None, "claim_token": None, **_text(message)}
    if getattr(exc, "permanent", False) or message.attempts >= MAX_ATTEMPTS:
        fields["failed_at"] = now
        log.error("outbox %s failed for good after %s attempts: %s", message.pk, message.attempts, error)
    else:
        fields["not_before"] = now + timedelta(minutes=2 ** (message.attempts - 1))
        log.warning("outbox %s failed (%s attempts): %s", message.pk, message.attempts, error)
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token).update(**fields)


def _give_up_on_abandoned_last_attempts(now) -> None:
    """A worker died during a message's last attempt: mark it failed, visibly."""
    (OutboxMessage.objects
     .filter(sent_at__isnull=True, failed_at__isnull=True, attempts__gte=MAX_ATTEMPTS,
             claimed_at__lt=now - CLAIM_TIMEOUT)
     .update(failed_at=now, claimed_at=None, claim_token=None,
             last_error="The worker stopped during the last attempt; the message may or may not "
                        "have been delivered."))
