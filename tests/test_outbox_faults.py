"""The outbox under faults: a hung SMTP server, a worker killed mid-send, two workers at once.

Delivery is claim (commit) → send (no transaction) → mark (commit): at-least-once, with the
same Message-ID on every attempt of a message (docs/operations.md, "Notifications (outbox)").
"""

import re
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from layanan.requests import outbox
from layanan.requests.models import OutboxMessage, Request
from layanan.requests.signals import outbox_written
from layanan.requests.tasks import outbox_written_receiver
from layanan.standards.models import Requirement, Service

from .smtp import black_hole_smtp, smtp_server
from .test_outbox_worker import running_worker, submit, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class WorkerKilled(BaseException):
    """The worker process dies here (not an error the outbox could catch and record)."""


@contextmanager
def worker_not_woken():
    """Outbox rows are written but nobody wakes the worker (as if the queue were down)."""
    outbox_written.disconnect(dispatch_uid="requests.send_outbox")
    try:
        yield
    finally:
        outbox_written.connect(outbox_written_receiver, dispatch_uid="requests.send_outbox")


def submit_complaint_on_the_web(client, svc, n):
    """A citizen fills in the real web form of Bangli's complaint service (with the upload)."""
    url = reverse("public_requests:apply", args=[svc.agency.code, svc.code])
    address = f"10.0.{n // 200}.{n % 200 + 1}"  # fifty citizens, fifty addresses
    page = client.get(url, REMOTE_ADDR=address).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    evidence = Requirement.objects.get(standard=svc.published_standard, kind="document")
    return client.post(url, {
        "applicant_type": "person", "name": f"Warga {n}", "nik": "5106014507920003",
        "phone": "0812-3866-945", "email": f"warga{n}@example.id", "address": "Jl. Merdeka 1, Bangli",
        "consent": "on", "subject": f"Izin usaha tidak kunjung terbit ({n})",
        "description": "Sudah tiga bulan berkas OSS saya belum diverifikasi.", "token": token,
        f"doc_{evidence.pk}": SimpleUploadedFile("bukti.pdf", PDF, content_type="application/pdf"),
    }, REMOTE_ADDR=address)


def test_a_hung_smtp_server_never_blocks_the_site(seeded, settings, tmp_path):
    """Finding: the outbox sent inside transaction.atomic(), so on SQLite a mail server that
    accepts and never answers held the database write lock for EMAIL_TIMEOUT per message, and
    submissions failed with 500 "database is locked". Now the worker holds no transaction or
    lock while it waits: 50 web submissions arrive while it hangs, and all 50 succeed."""
    svc = Service.objects.get(agency__code="DPMPTSP-BANGLI", code="pengaduan-masyarakat")
    client = Client()  # a view error ("database is locked") would be raised here
    with black_hole_smtp(settings, timeout=2) as hole, running_worker(tmp_path):
        statuses = [submit_complaint_on_the_web(client, svc, 0).status_code]
        assert wait_for(lambda: hole.accepted >= 1), "the worker never reached the mail server"
        # From here on the worker waits on a mail server that never answers.
        statuses += [submit_complaint_on_the_web(client, svc, n).status_code for n in range(1, 50)]
        hole.stop()  # hang up: the worker's wait ends and it can stop
    assert statuses == [302] * 50
    assert Request.objects.filter(service=svc).count() == 50
    messages = OutboxMessage.objects.filter(request__service=svc)
    assert messages.count() == 50 and not messages.filter(sent_at__isnull=False).exists()
    # The messages the worker tried are waiting for their retry, none is left claimed.
    tried = messages.exclude(last_error="")
    assert tried.exists() and not messages.filter(claimed_at__isnull=False).exists()
    assert all(m.not_before and m.status == "waiting" for m in tried)


def test_a_worker_killed_between_send_and_mark_sends_the_message_again_with_the_same_message_id(
        seeded, settings, monkeypatch):
    """At-least-once with a dedupe key, stated plainly: the SMTP server accepted the message,
    then the worker died before it could record "sent". The message stays claimed; once the
    claim is older than CLAIM_TIMEOUT the next run sends it again. The mail server receives it
    twice, both copies with the same Message-ID, so a mail system or a reader can tell it is
    one message sent twice, not two messages."""
    with smtp_server(settings) as inbox, worker_not_woken():
        request = submit("DPMPTSP-BANGLI")
        message = OutboxMessage.objects.get(request=request)
        assert message.status == "waiting" and not inbox.messages

        def killed(*args, **kwargs):
            raise WorkerKilled

        monkeypatch.setattr(outbox, "_mark_sent", killed)
        now = timezone.now()
        with pytest.raises(WorkerKilled):
            outbox.send_pending(now=now)
        monkeypatch.undo()
        assert len(inbox.messages) == 1  # the server had accepted it
        message.refresh_from_db()
        assert (message.status, message.sent_at, message.attempts) == ("claimed", None, 1)

        # While the claim is fresh the worker might still be alive: nobody touches the message.
        assert outbox.send_pending(now=now + outbox.CLAIM_TIMEOUT - timedelta(seconds=1)) == 0
        # Past the claim timeout the claim counts as abandoned: the message goes out again.
        later = now + outbox.CLAIM_TIMEOUT + timedelta(seconds=1)
        assert outbox.send_pending(now=later) == 1
        assert outbox.send_pending(now=later) == 0

    assert len(inbox.messages) == 2
    first, second = inbox.messages
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Subject"] == second["Subject"] and request.tracking_code in first["Subject"]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_id) == ("sent", 2, first["Message-ID"])


def test_two_workers_at_once_send_each_message_once(seeded, settings):
    with smtp_server(settings) as inbox, worker_not_woken():
        requests = [submit(code) for code in ["DPMPTSP-BANGLI", "DPMN-SOLOK"] * 6]
        # One worker holds a message: the other cannot claim it.
        [held] = outbox.claim(limit=1)
        others = outbox.claim(limit=100)
        assert held.pk not in {m.pk for m in others} and len(others) == len(requests) - 1
        assert outbox.claim(limit=100) == []
        for message in [held, *others]:  # release them, as a failed send would
            OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=None, claim_token=None)

        # Two real workers race over the same twelve messages.
        start = threading.Barrier(2)
        results = []

        def work():
            try:
                start.wait()
                results.append(outbox.send_pending())
            finally:
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sum(results) == len(requests)
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == len(set(ids)) == len(requests)
    assert OutboxMessage.objects.filter(request__in=requests, sent_at__isnull=False).count() == len(requests)


def test_writing_an_outbox_message_wakes_the_worker_through_the_receiver(seeded, settings):
    """notifications.py never imports the worker: it signals `outbox_written`, and the receiver
    connected in RequestsConfig.ready() starts the send after commit."""
    with smtp_server(settings) as inbox:
        with worker_not_woken():
            first = submit("DPMN-SOLOK", email="satu@example.com")
        assert not inbox.messages  # without the receiver nothing wakes the worker
        assert OutboxMessage.objects.get(request=first).status == "waiting"
        submit("DPMN-SOLOK", email="dua@example.com")  # the receiver wakes it: it sends all that is due
        assert sorted(m["To"] for m in inbox.messages) == ["dua@example.com", "satu@example.com"]
