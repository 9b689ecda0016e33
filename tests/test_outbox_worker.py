"""Notifications leave through a real Huey worker to a real SMTP server, once each.

(Once each in the normal case; after a crash between send and mark a message is sent again
with the same Message-ID: tests/test_outbox_faults.py.)"""

import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection, transaction
from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from layanan.requests import lifecycle, notifications, outbox
from layanan.requests.models import OutboxMessage
from layanan.standards.models import Service

from .smtp import smtp_server

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(tmp_path):
    """A real Huey consumer (one worker thread) on a private queue."""
    with running_worker(tmp_path) as consumer:
        yield consumer


@contextmanager
def running_worker(tmp_path):
    previous_storage, previous_immediate = HUEY.storage, HUEY.immediate
    HUEY.immediate = False
    HUEY.storage = SqliteStorage(name="layanan-test", filename=str(tmp_path / "huey.sqlite3"))
    consumer = Consumer(HUEY, workers=1, periodic=False, worker_type="thread", initial_delay=0.05,
                        max_delay=0.2, check_worker_health=False)
    consumer.start()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        HUEY.storage, HUEY.immediate = previous_storage, previous_immediate
        connection.close()


def wait_for(predicate, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def submit(code, email="warga@example.com"):
    svc = Service.objects.get(agency__code=code)
    request, _ = lifecycle.submit(standard=svc.published_standard, channel="web", subject="Uji e-mail",
                                  applicant={"applicant_name": "Warga Uji", "applicant_email": email})
    return request


def test_receipt_email_reaches_the_smtp_server_through_the_worker(seeded, settings, worker):
    with smtp_server(settings) as inbox:
        request = submit("DPMPTSP-BANGLI")
        assert wait_for(lambda: len(inbox.messages) == 1), "the worker did not send the e-mail"
        message = inbox.messages[0]
        assert message["To"] == "warga@example.com"
        assert request.tracking_code in message["Subject"]
        body = message.get_payload(decode=True).decode()
        assert f"/lacak/{request.tracking_code}/{request.tracking_secret}/" in body
        assert wait_for(lambda: OutboxMessage.objects.get(request=request).sent_at is not None)
        time.sleep(0.5)
        assert len(inbox.messages) == 1  # never twice


def test_smtp_down_is_retried_later_and_sent_once(seeded, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing there
    HUEY.immediate = True
    request = submit("DISDUKCAPIL-PROBOLINGGO")
    message = OutboxMessage.objects.get(request=request)
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    assert message.not_before is not None
    assert message.status == "waiting" and message.claimed_at is None  # the claim was released
    with smtp_server(settings) as inbox:
        assert outbox.send_pending() == 0  # backing off: not yet due
        assert outbox.send_pending(now=message.not_before) == 1
        assert outbox.send_pending(now=message.not_before) == 0
        assert len(inbox.messages) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    # The Message-ID names the message and the site; it is recorded as the provider's id.
    assert message.provider_id == inbox.messages[0]["Message-ID"]
    assert message.provider_id == f"<outbox.{message.pk}.received.{request.pk}@127.0.0.1>"


def test_a_message_that_keeps_failing_is_given_up_and_stays_visible(seeded, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing there
    request = submit("DPMN-SOLOK")
    message = OutboxMessage.objects.get(request=request)
    for _ in range(outbox.MAX_ATTEMPTS - 1):  # 1, 2, 4 … minutes apart
        assert outbox.send_pending(now=message.not_before) == 0
        message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert "Connection refused" in message.last_error
    assert list(outbox.failed()) == [message]
    assert outbox.send_pending(now=message.not_before + timedelta(days=30)) == 0  # never again


def test_a_whatsapp_message_fails_at_once_with_a_clear_reason(seeded, mailoutbox):
    """The WhatsApp transport is a placeholder until its own issue connects a provider."""
    request = submit("DPMN-SOLOK")
    assert len(mailoutbox) == 1  # the e-mail receipt went out
    message = OutboxMessage.objects.create(
        request=request, channel=OutboxMessage.Channel.WHATSAPP, recipient="+628123866945",
        template="received", subject="", body="Permohonan diterima.", dedupe_key=f"wa:received:{request.pk}")
    assert outbox.send_pending() == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert "WhatsApp channel is not connected" in message.last_error


def test_the_worker_refuses_to_send_inside_a_database_transaction(seeded):
    with transaction.atomic(), pytest.raises(RuntimeError, match="outside any database transaction"):
        outbox.send_pending()


def test_the_same_notification_is_written_once(seeded):
    svc = Service.objects.get(agency__code="DPMN-SOLOK")
    applicant = {"applicant_name": "Warga Uji", "applicant_email": "warga@example.com"}
    # A form sent twice (the same idempotency key) is one request with one receipt.
    request, created = lifecycle.submit(standard=svc.published_standard, channel="web", subject="Uji",
                                        applicant=applicant, idempotency_key="sekali")
    again, created_again = lifecycle.submit(standard=svc.published_standard, channel="web", subject="Uji",
                                            applicant=applicant, idempotency_key="sekali")
    assert (again, created, created_again) == (request, True, False)
    assert OutboxMessage.objects.filter(request=request, template="received").count() == 1
    # A notification written twice for the same change (a retried transition) is one message.
    notifications.request_finished(request, "rejected")
    notifications.request_finished(request, "rejected")
    assert OutboxMessage.objects.filter(request=request, template="rejected").count() == 1


def test_plain_text_emails_are_not_html_escaped(seeded):
    svc = Service.objects.get(agency__code="DPMN-SOLOK")
    request, _ = lifecycle.submit(standard=svc.published_standard, channel="web",
                                  subject="Dana desa & BUMNag <2026>",
                                  applicant={"applicant_name": "Nur'aini",
                                             "applicant_email": "n@example.com"})
    _subject, body = notifications.render(OutboxMessage.objects.get(request=request, template="received"))
    assert "Dana desa & BUMNag <2026>" in body and "Nur'aini" in body
