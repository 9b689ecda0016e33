"""The outbox row holds the template's name and its context; the worker renders the text when it
sends the message (issue 13: the submission's transaction does less, and a message waiting to be
sent keeps no tracking link in clear)."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext_lazy

from layanan.accounts.models import User
from layanan.channels.models import StaffNotice
from layanan.requests import lifecycle, notifications, outbox
from layanan.requests.models import OutboxMessage, Request
from layanan.requests.signals import outbox_written
from layanan.standards.models import Service

NAME, EMAIL, PHONE = "Ni Luh Sari", "sari@example.id", "+6281200001111"


def submit(code="DPMPTSP-BANGLI", **applicant):
    svc = Service.objects.get(agency__code=code)
    request, _created = lifecycle.submit(
        standard=svc.published_standard, channel="web", subject="Izin usaha belum terbit",
        applicant={"applicant_name": NAME, "applicant_email": EMAIL, **applicant})
    return request


def raw_row(pk) -> str:
    """The row as the database holds it (what a backup or a database reader sees)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM requests_outboxmessage WHERE id = %s", [pk])
        return " ".join(str(value) for value in cursor.fetchone())


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://layanan.example.go.id"
    return settings.SITE_URL


@pytest.fixture
def wakes():
    """The wake-ups of the worker (outbox_written) that stand after commit: the messages' ids."""
    seen = []

    def receiver(sender, message, **kwargs):
        transaction.on_commit(lambda: seen.append(message.pk))

    outbox_written.connect(receiver, dispatch_uid="test.outbox_render.wakes")
    yield seen
    outbox_written.disconnect(dispatch_uid="test.outbox_render.wakes")


# ---------------------------------------------------------------- what the submission writes


def test_the_row_written_at_submission_holds_no_text_and_no_link(demo, site):
    request = submit(applicant_phone=PHONE, whatsapp_consent=True)
    rows = OutboxMessage.objects.filter(request=request, template="received").order_by("channel")
    assert [(m.channel, m.subject, m.body, m.context) for m in rows] == [
        ("email", "", "", {}), ("whatsapp", "", "", {})]
    for row in rows:
        stored = raw_row(row.pk)
        # Nothing of the citizen in clear: not the link to their request, not their name or address
        # (the recipient column is encrypted).
        for secret in (request.tracking_secret, request.tracking_code, NAME, EMAIL, "81200001111"):
            assert secret not in stored
    assert [m.recipient for m in rows] == [EMAIL, "6281200001111"]


def test_a_submission_writes_its_messages_with_plain_inserts_and_wakes_the_worker(
        seeded, site, wakes, monkeypatch):
    measured = {}
    real = notifications.request_received

    def request_received(request):
        with CaptureQueriesContext(connection) as queries:
            real(request)
        measured["sql"] = [q["sql"] for q in queries.captured_queries]

    monkeypatch.setattr(notifications, "request_received", request_received)
    request = submit(applicant_phone=PHONE, whatsapp_consent=True)
    # Two rows (e-mail, WhatsApp), two INSERTs: no savepoint around rows that cannot collide.
    assert len(measured["sql"]) == 2
    assert all(sql.startswith('INSERT INTO "requests_outboxmessage"') for sql in measured["sql"])
    # The worker is woken after commit (it sends whatever is due when it wakes).
    assert set(wakes) == set(OutboxMessage.objects.filter(request=request).values_list("pk", flat=True))
    assert OutboxMessage.objects.filter(request=request).count() == 2


def test_a_wake_is_not_lost_when_the_first_message_is_rolled_back(seeded, site, wakes):
    request = submit()
    wakes.clear()
    with transaction.atomic():
        try:
            with transaction.atomic():
                notifications.request_finished(request, "rejected")
                raise RuntimeError("the transition failed")
        except RuntimeError:
            pass
        notifications.request_resolved(request)
    assert not OutboxMessage.objects.filter(request=request, template="rejected").exists()
    resolved = OutboxMessage.objects.get(request=request, template="resolved")
    assert wakes == [resolved.pk]
    # A message for later (not_before) wakes nobody: the periodic run sends it when it is due.
    wakes.clear()
    staff = User.objects.filter(agency=request.agency, is_active=True).exclude(email="").first()
    Request.objects.filter(pk=request.pk).update(due_at=timezone.now() + timedelta(hours=2))
    request.refresh_from_db()
    later = timezone.now() + timedelta(hours=1)
    notifications.sla_alert(request, staff, "assignee", "at_risk", not_before=later)
    assert wakes == []


# ---------------------------------------------------------------- what the worker sends


def test_the_worker_sends_the_receipt_with_code_due_time_and_link(seeded, site, mailoutbox):
    with translation.override("en"):  # the worker's own language does not matter: the site's does
        request = submit()
    request.refresh_from_db()
    agency = request.agency
    [mail] = mailoutbox
    assert mail.to == [EMAIL]
    assert mail.subject == f"[{agency.name}] Permohonan {request.tracking_code} diterima"
    with translation.override("id"):
        due = dateformat.format(timezone.localtime(request.due_at, ZoneInfo(agency.timezone)), "l, j F Y H:i")
    assert f"Yth. {NAME}," in mail.body
    assert f"Kode lacak : {request.tracking_code}" in mail.body
    assert f"Target selesai: {due} {agency.timezone_abbr}" in mail.body
    assert f"{site}/lacak/{request.tracking_code}/{request.tracking_secret}/" in mail.body
    # The row keeps what was sent (the operators' screens, a WhatsApp fallback read it); the context
    # is not needed any more.
    row = OutboxMessage.objects.get(request=request)
    assert (row.status, row.subject, row.body, row.context) == ("sent", mail.subject, mail.body, {})


def test_the_text_is_the_request_as_it_is_when_sent(demo, site):
    request = submit()
    row = OutboxMessage.objects.get(request=request)
    later = request.due_at + timedelta(days=3)
    Request.objects.filter(pk=request.pk).update(due_at=later)  # e.g. the clock was recomputed
    _subject, body = notifications.render(row)
    with translation.override("id"):
        due = dateformat.format(timezone.localtime(later, ZoneInfo(request.agency.timezone)), "l, j F Y H:i")
    assert f"Target selesai: {due}" in body


def test_rows_queued_with_their_text_are_sent_unchanged(seeded, site, mailoutbox):
    message = notifications.queue(
        request=None, channel=OutboxMessage.Channel.EMAIL, recipient="kepala@example.go.id",
        template="report_ready", subject="Laporan Desember siap", body="Tautan: https://x/1/\n",
        dedupe_key="test:prerendered")
    assert message is not None
    [mail] = mailoutbox
    assert (mail.subject, mail.body, mail.to) == ("Laporan Desember siap", "Tautan: https://x/1/\n",
                                                  ["kepala@example.go.id"])
    message.refresh_from_db()
    assert (message.status, message.subject, message.body) == ("sent", mail.subject, mail.body)


def test_a_message_that_cannot_be_rendered_fails_for_good_and_the_worker_goes_on(seeded, site, mailoutbox):
    request = submit()
    mailoutbox.clear()
    broken = [notifications.queue(request=request, channel=OutboxMessage.Channel.EMAIL, recipient=EMAIL,
                                  template="tidak_ada", dedupe_key=f"test:broken:{n}",
                                  not_before=timezone.now() - timedelta(minutes=1)) for n in range(3)]
    good = notifications.queue(request=request, channel=OutboxMessage.Channel.EMAIL, recipient=EMAIL,
                               template="resolved", dedupe_key="test:good",
                               not_before=timezone.now() - timedelta(minutes=1))
    # Three unrenderable messages in a row do not look like a mail server that is down.
    assert outbox.send_pending() == 1
    code = request.tracking_code
    assert [m.subject for m in mailoutbox] == [f"[{request.agency.name}] Permohonan {code} selesai"]
    good.refresh_from_db()
    assert good.status == "sent"
    for message in broken:
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("failed", 1)
        assert message.last_error.startswith("RenderError: the message could not be rendered from "
                                             "notifications/tidak_ada (TemplateDoesNotExist")
    assert set(outbox.failed()) == set(broken)
    assert outbox.send_pending(now=timezone.now() + timedelta(days=1)) == 0  # never tried again


# ---------------------------------------------------------------- the context


def test_a_staff_alert_keeps_the_officer_as_a_reference_and_renders_their_name(demo, site):
    request = submit()
    staff = User.objects.filter(agency=request.agency, is_active=True).exclude(email="").first()
    notifications.sla_alert(request, staff, "unit_head", "breached", not_before=timezone.now())
    row = OutboxMessage.objects.get(request=request, template="sla_alert")
    assert row.context == {"staff": {"$model": "accounts.user", "pk": staff.pk},
                           "level": "unit_head", "status": "breached"}
    subject, body = notifications.render(row)
    assert subject == f"[Layanan] MELEWATI TENGGAT: {request.tracking_code}"
    assert body.startswith(f"Yth. {staff},") and "telah melewati tenggat" in body
    assert "sebagai atasan" in body and f"{site}/kelola/permohonan/{request.pk}/" in body


def test_the_context_round_trips_and_refuses_what_it_cannot_keep(demo):
    staff = User.objects.filter(is_active=True).first()
    at = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Makassar"))
    context = {"staff": staff, "kind": StaffNotice.Kind.DISPOSED, "label": gettext_lazy("gagal"),
               "missing": ("KTP-el", "KK"), "at": at, "count": 3, "nothing": None,
               "nested": {"people": [staff], "ok": True}}
    stored = notifications.dump_context(context)
    assert stored["kind"] == "disposed" and type(stored["kind"]) is str
    assert stored["label"] == "gagal" and stored["missing"] == ["KTP-el", "KK"]
    loaded = notifications.load_context(stored)
    assert loaded["staff"] == staff and loaded["nested"] == {"people": [staff], "ok": True}
    assert loaded["at"] == at and loaded["at"].tzinfo is not None
    assert (loaded["count"], loaded["nothing"]) == (3, None)
    for bad in ({"amount": Decimal("1.5")}, {"what": object()}, {1: "x"}, {"staff": User()}):
        with pytest.raises(TypeError):
            notifications.dump_context(bad)


def test_a_digest_lists_its_notices_when_it_is_sent(demo, site):
    request = submit()
    tim = User.objects.get(username="bangli.tim")
    notices = [StaffNotice.objects.create(user=tim, request=request, kind=kind)
               for kind in (StaffNotice.Kind.NEW, StaffNotice.Kind.DISPOSED)]
    notifications.staff_message(None, tim, "staff_digest", "test:digest",
                                {"notices": notices, "agency": tim.agency, "count": 2, "subject_line": "2"})
    row = OutboxMessage.objects.get(template="staff_digest")
    subject, body = notifications.render(row)
    assert subject == "[Layanan] Ringkasan harian: 2 hal baru"
    assert body.count(request.tracking_code) == 2 and f"{site}/kelola/permohonan/{request.pk}/" in body
