"""WhatsApp: the webhook's contract, the guided dialogue, messages and documents on a request, the answer
delivered on WhatsApp, delivery statuses and the 24-hour window — against a local server that speaks
the Cloud API contract (tests/channels_fakes.py)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from layanan.accounts.models import User
from layanan.channels import dialogue, whatsapp
from layanan.channels.models import CallTask, DialogueFile, WhatsAppContact, WhatsAppEvent
from layanan.requests import lifecycle, notifications, outbox
from layanan.requests.models import Attachment, OutboxMessage, Request, State

from . import channels_fakes as fk

AGENCY = "DPMPTSP-BANGLI"  # one complaint service, WhatsApp on its published channels
CITIZEN = "6281234500001"


@pytest.fixture
def graph(seeded, settings):
    with fk.fake_graph(settings) as server:
        fk.connect(seeded[AGENCY])
        yield server


def say(text, wa_id=CITIZEN, **kwargs):
    response = fk.post(Client(), AGENCY, fk.text_message(wa_id, text, **kwargs))
    assert response.status_code == 200
    return response


def staff(username):
    return User.objects.get(username=username)


def complaint_by_whatsapp(graph, wa_id=CITIZEN, *, photo=True, identity="1"):
    say("Halo", wa_id)
    if photo:
        graph.add_media(f"media-{wa_id}", fk.jpeg_bytes(), "image/jpeg")
    say("Jalan berlubang di depan pasar Kidul", wa_id)
    say("Lubang besar sejak Senin, berbahaya bagi pengendara motor.", wa_id)
    if photo:
        assert (
            fk.post(
                Client(), AGENCY, fk.media_message(wa_id, f"media-{wa_id}", caption="foto lubang")
            ).status_code
            == 200
        )
    say("SELESAI", wa_id)
    say(identity, wa_id)
    say("KIRIM", wa_id)
    return Request.objects.filter(channel="whatsapp").order_by("-id").first()


# ---------------------------------------------------------------- the webhook's contract


def test_verification_echoes_the_challenge_only_for_the_agency_token(graph):
    client = Client()
    ok = client.get(
        f"/kanal/whatsapp/{AGENCY}/",
        {"hub.mode": "subscribe", "hub.verify_token": fk.VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = client.get(
        f"/kanal/whatsapp/{AGENCY}/",
        {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1158201444"},
    )
    assert wrong.status_code == 403 and b"1158201444" not in wrong.content
    assert client.get("/kanal/whatsapp/DINSOS-SEKADAU/", {"hub.mode": "subscribe"}).status_code == 404


def test_bad_or_missing_signature_is_refused_and_nothing_is_stored(graph):
    body = fk.text_message(CITIZEN, "Halo")
    assert fk.post(Client(), AGENCY, body, secret="not-the-app-secret").status_code == 403
    assert fk.post(Client(), AGENCY, body, signature="").status_code == 403
    assert fk.post(Client(), AGENCY, body, signature="sha256=" + "0" * 64).status_code == 403
    tampered = body.replace(b"Halo", b"Hal0")
    assert (
        fk.post(Client(), AGENCY, tampered, signature=whatsapp.sign(fk.APP_SECRET, body)).status_code == 403
    )
    assert WhatsAppEvent.objects.count() == 0 and WhatsAppContact.objects.count() == 0
    assert graph.sent == []


def test_a_replayed_message_creates_nothing(graph):
    request = complaint_by_whatsapp(graph, photo=False)
    body = fk.text_message(CITIZEN, "KIRIM", message_id="wamid.REPLAY-1")
    assert fk.post(Client(), AGENCY, body).status_code == 200
    counts = (
        Request.objects.count(),
        OutboxMessage.objects.count(),
        request.events.count(),
        WhatsAppEvent.objects.count(),
    )
    for _ in range(3):  # the platform redelivers
        assert fk.post(Client(), AGENCY, body).status_code == 200
    assert (
        Request.objects.count(),
        OutboxMessage.objects.count(),
        request.events.count(),
        WhatsAppEvent.objects.count(),
    ) == counts


# ---------------------------------------------------------------- the shape: complaint → disposed → answered


def test_whatsapp_complaint_with_photo_is_disposed_answered_and_the_answer_arrives_on_whatsapp(graph):
    request = complaint_by_whatsapp(graph)
    assert request is not None and request.agency.code == AGENCY
    assert request.kind == "complaint" and request.channel == "whatsapp" and request.whatsapp_consent
    assert request.subject == "Jalan berlubang di depan pasar Kidul"
    assert request.applicant_phone == "+" + CITIZEN and request.applicant_name == "Warga Uji"
    photo = request.attachments.get()
    assert photo.purpose == Attachment.Purpose.EVIDENCE and photo.content_type == "image/jpeg"
    assert DialogueFile.objects.count() == 0  # moved onto the request

    texts = graph.texts_to(CITIZEN)
    assert "Silakan pilih layanan" not in texts[0]  # one published service: straight to the subject
    receipt = texts[-1]
    assert (
        request.tracking_code in receipt
        and f"/lacak/{request.tracking_code}/{request.tracking_secret}/" in receipt
    )
    assert "Target selesai" in receipt

    # The desk: the operator registers it, the head disposes it to the complaint team, the team answers.
    lifecycle.perform(request, staff("bangli.operator"), "advance", note="Dicatat.")
    request.refresh_from_db()
    lifecycle.perform(
        request,
        staff("bangli.kadis"),
        "dispose",
        note="Tindak lanjuti bersama PUPR.",
        to_user=staff("bangli.tim"),
    )
    request.refresh_from_db()
    assert request.assignee == staff("bangli.tim")
    lifecycle.perform(request, staff("bangli.tim"), "advance", product_text="Lubang ditambal tanggal 12.")
    request.refresh_from_db()
    assert request.state == State.RESOLVED

    answer = graph.texts_to(CITIZEN)[-1]
    assert request.tracking_code in answer and "Lubang ditambal tanggal 12." in answer
    sent = OutboxMessage.objects.get(request=request, template="resolved", channel="whatsapp")
    assert sent.sent_at is not None and sent.provider_id.startswith("wamid.OUT")
    # the tracking link in the message works
    link = f"/lacak/{request.tracking_code}/{request.tracking_secret}/"
    page = Client().get(link)
    assert page.status_code == 200 and "Lubang ditambal tanggal 12." in page.content.decode()


def test_a_reply_with_the_missing_document_resumes_the_clock(seeded, settings):
    # Seed 000 (Dinsos Sekadau, data request by WhatsApp): the Kepala Seksi verifies and may send it back.
    code, wa = "DINSOS-SEKADAU", "6281234500002"
    with fk.fake_graph(settings) as graph:
        fk.connect(seeded[code])
        client = Client()
        for text in (
            "Selamat siang",
            "Data penerima bantuan PKH Desa Sungai Ayak",
            "Untuk skripsi: jumlah penerima PKH 2025 per dusun.",
            "LEWATI",
            "KIRIM",
        ):
            assert fk.post(client, code, fk.text_message(wa, text)).status_code == 200
        request = Request.objects.get(channel="whatsapp", agency__code=code)
        assert request.tracking_code in graph.texts_to(wa)[-1]
        lifecycle.perform(request, staff("dinsos.petugas"), "advance")
        lifecycle.perform(request, staff("dinsos.tu"), "advance")
        lifecycle.perform(
            request, staff("dinsos.kadis"), "dispose", note="Seksi rehsos.", to_user=staff("dinsos.kasi")
        )
        lifecycle.perform(
            request,
            staff("dinsos.kasi"),
            "return_incomplete",
            note="Lampirkan surat pengantar.",
            missing=["Surat pengantar dari kampus"],
        )
        request.refresh_from_db()
        assert request.state == State.WAITING_APPLICANT
        assert "Surat pengantar dari kampus" in graph.texts_to(wa)[-1]
        due_while_waiting = request.due_at

        graph.add_media("media-pengantar", fk.pdf_bytes("Surat pengantar"), "application/pdf")
        wamid = OutboxMessage.objects.get(request=request, template="missing", channel="whatsapp").provider_id
        message = {
            "from": wa,
            "id": "wamid.IN-PENGANTAR",
            "timestamp": "1764470000",
            "type": "document",
            "context": {"from": "628123866945", "id": wamid},
            "document": {
                "id": "media-pengantar",
                "mime_type": "application/pdf",
                "sha256": "x",
                "filename": "surat-pengantar.pdf",
            },
        }
        body = fk.notification(messages=[message], contacts=[{"profile": {"name": "Warga Uji"}, "wa_id": wa}])
        assert fk.post(client, code, body).status_code == 200

        request.refresh_from_db()
        assert request.state == State.IN_PROGRESS
        assert not request.pauses.filter(ended_at__isnull=True).exists()
        document = request.attachments.get(purpose=Attachment.Purpose.REQUIREMENT)
        assert document.filename == "surat-pengantar.pdf" and document.content_type == "application/pdf"
        supply = request.events.get(action="supply")
        assert supply.actor_kind == "applicant" and "WhatsApp" in supply.note
        assert due_while_waiting is None or request.due_at is None or request.due_at >= due_while_waiting
        assert "diproses kembali" in graph.texts_to(wa)[-1]


def test_a_message_on_an_open_request_goes_on_its_timeline(graph):
    request = complaint_by_whatsapp(graph, photo=False)
    say("Lubangnya sekarang makin besar, mohon segera.")
    message = request.events.get(action="message")
    assert message.note == "Lubangnya sekarang makin besar, mohon segera."
    assert message.actor_kind == "applicant" and message.data == {"via": "whatsapp"}
    assert request.tracking_code in graph.texts_to(CITIZEN)[-1]
    assert Request.objects.filter(channel="whatsapp").count() == 1


def test_control_characters_from_a_phone_are_dropped_not_refused(graph):
    """A notification carrying NUL or another control character is answered 200 (a refusal would
    be redelivered for days) and the text is kept without them."""
    request = complaint_by_whatsapp(graph, photo=False)
    say("Lubangnya\x00 makin\x07 besar,\tmohon segera.")
    message = request.events.get(action="message")
    assert message.note == "Lubangnya makin besar,\tmohon segera."


def test_a_file_that_is_not_a_document_is_refused_with_the_reason(graph):
    request = complaint_by_whatsapp(graph, photo=False)
    graph.add_media("media-html", b"<html><script>alert(1)</script></html>", "image/jpeg")
    fk.post(Client(), AGENCY, fk.media_message(CITIZEN, "media-html", filename="foto.jpg"))
    assert request.attachments.count() == 0
    assert "bukan PDF, JPEG, PNG atau DOCX" in graph.texts_to(CITIZEN)[-1]


def test_the_citizen_is_told_the_upload_limits_web_uploads_have(graph):
    say("Halo")
    say("Jalan berlubang di depan pasar Kidul")
    say("Lubang besar sejak Senin, berbahaya bagi pengendara motor.")
    assert "foto JPEG atau PNG paling besar 10 MB" in graph.texts_to(CITIZEN)[-1]
    graph.add_media("media-huge", b"\xff" * (whatsapp.MAX_MEDIA_BYTES + 1), "image/jpeg")
    fk.post(Client(), AGENCY, fk.media_message(CITIZEN, "media-huge"))
    refusal = graph.texts_to(CITIZEN)[-1]
    assert "terlalu besar" in refusal and "10 MB" in refusal
    assert not DialogueFile.objects.exists()


# ---------------------------------------------------------------- the dialogue


def test_batal_cancels_and_forgets(graph):
    say("Halo")
    graph.add_media("m1", fk.jpeg_bytes(), "image/jpeg")
    say("Judul pengaduan saya")
    fk.post(Client(), AGENCY, fk.media_message(CITIZEN, "m1"))
    assert DialogueFile.objects.count() == 1
    say("batal")
    contact = WhatsAppContact.objects.get()
    assert contact.dialogue_step == "" and contact.dialogue_data == ""
    assert DialogueFile.objects.count() == 0 and Request.objects.count() == 0
    assert "dibatalkan" in graph.texts_to(CITIZEN)[-1]


def test_an_unanswered_dialogue_times_out_politely(graph):
    say("Halo")
    WhatsAppContact.objects.update(
        dialogue_updated_at=timezone.now() - dialogue.DIALOGUE_TIMEOUT - timedelta(minutes=1)
    )
    assert dialogue.expire_idle() == 1
    outbox.send_pending()
    assert "tidak ada balasan" in graph.texts_to(CITIZEN)[-1]
    assert WhatsAppContact.objects.get().dialogue_step == ""
    say("Halo lagi")  # starts afresh
    assert WhatsAppContact.objects.get().dialogue_step == "subject"


def test_an_anonymous_complaint_keeps_no_number_and_still_gets_its_receipt(graph):
    request = complaint_by_whatsapp(graph, photo=False, identity="3")
    assert (
        request.applicant_type == "anonymous"
        and request.applicant_phone == ""
        and not request.whatsapp_consent
    )
    assert request.tracking_code in graph.texts_to(CITIZEN)[-1]


def test_several_services_are_offered_as_numbered_choices(seeded, settings):
    with fk.fake_graph(settings) as graph:
        fk.connect(seeded["ORGANISASI-KEDIRI"])
        wa = "6281234500077"
        client = Client()
        fk.post(client, "ORGANISASI-KEDIRI", fk.text_message(wa, "Selamat pagi"))
        menu = graph.texts_to(wa)[-1]
        assert "1. " in menu and "17. " in menu
        fk.post(client, "ORGANISASI-KEDIRI", fk.text_message(wa, "99"))
        assert "1 sampai 17" in graph.texts_to(wa)[-1]
        fk.post(client, "ORGANISASI-KEDIRI", fk.text_message(wa, "8"))
        assert "Konsultasi" in graph.texts_to(wa)[-1] or "SOP" in graph.texts_to(wa)[-1]


# ---------------------------------------------------------------- outbound: window, statuses, fallback


def test_outside_the_24_hour_window_an_approved_template_is_sent(graph):
    request = complaint_by_whatsapp(graph, photo=False)
    WhatsAppContact.objects.update(last_inbound_at=timezone.now() - timedelta(hours=25))
    lifecycle.perform(request, staff("bangli.operator"), "advance")
    request.refresh_from_db()
    lifecycle.perform(request, staff("bangli.tim"), "advance", product_text="Sudah ditambal.")
    payload = graph.to(CITIZEN)[-1]
    assert payload["type"] == "template"
    assert payload["template"]["name"] == whatsapp.templates()["resolved"]["name"]
    assert payload["template"]["language"] == {"code": "id"}
    values = [p["text"] for p in payload["template"]["components"][0]["parameters"]]
    assert request.tracking_code in values and any("/lacak/" in v for v in values)
    assert payload["biz_opaque_callback_data"].startswith("outbox:")


def test_delivery_statuses_are_stored_in_order_and_a_failure_falls_back(graph):
    request = complaint_by_whatsapp(graph, photo=False)
    receipt = OutboxMessage.objects.get(request=request, template="received", channel="whatsapp")
    client = Client()
    for status in ("delivered", "sent", "read", "delivered"):  # out of order, and a redelivery
        fk.post(
            client,
            AGENCY,
            fk.status_update(receipt.provider_id, status, CITIZEN, reference=f"outbox:{receipt.pk}"),
        )
    receipt.refresh_from_db()
    assert receipt.delivery_status == "read"
    desk = fk_login("bangli.admin").get(f"/kelola/permohonan/{request.pk}/").content.decode()
    assert "status WhatsApp: read" in desk and CITIZEN not in desk.replace("+" + CITIZEN, "")

    # A failed message, no e-mail address: the desk is asked to call.
    lifecycle.perform(request, staff("bangli.operator"), "advance")
    request.refresh_from_db()
    lifecycle.perform(request, staff("bangli.tim"), "advance", product_text="Selesai.")
    answer = OutboxMessage.objects.get(request=request, template="resolved", channel="whatsapp")
    fk.post(client, AGENCY, fk.status_update(answer.provider_id, "failed", CITIZEN, error_code=131026))
    answer.refresh_from_db()
    assert answer.delivery_status == "failed" and "131026" in answer.delivery_error
    task = CallTask.objects.get(request=request)
    assert task.done_at is None
    petugas = fk_login("bangli.petugas")
    assert request.tracking_code in petugas.get("/kelola/kanal/telepon/").content.decode()
    assert (
        "Hubungi pemohon lewat telepon" in petugas.get(f"/kelola/permohonan/{request.pk}/").content.decode()
    )

    # With an e-mail address the message goes by e-mail instead.
    Request.objects.filter(pk=request.pk).update(applicant_email="warga@example.com")
    missing = OutboxMessage.objects.create(
        request=request,
        channel="whatsapp",
        recipient=CITIZEN,
        template="resolved",
        subject="x",
        body="Selesai.",
        dedupe_key="test:fallback",
        agency=request.agency,
        provider_id="wamid.FAILED-2",
        sent_at=timezone.now(),
    )
    fk.post(client, AGENCY, fk.status_update("wamid.FAILED-2", "failed", CITIZEN, error_code=131026))
    copy = OutboxMessage.objects.get(dedupe_key=f"wa-fallback:{missing.pk}")
    assert (
        copy.channel == "email"
        and copy.recipient == "warga@example.com"
        and request.tracking_code in notifications.render(copy)[0]
    )


def test_a_status_for_another_agency_message_is_ignored(graph, seeded):
    other = OutboxMessage.objects.create(
        channel="whatsapp",
        recipient=CITIZEN,
        template="wa_dialogue",
        subject="x",
        body="x",
        dedupe_key="other-agency",
        agency=seeded["DINSOS-SEKADAU"],
        provider_id="wamid.OTHER",
    )
    fk.post(Client(), AGENCY, fk.status_update("wamid.OTHER", "read", CITIZEN))
    other.refresh_from_db()
    assert other.delivery_status == ""


def test_an_agency_without_a_number_fails_the_message_permanently(seeded, settings):
    request, _ = lifecycle.submit(
        standard=seeded[AGENCY].services.get().published_standard,
        channel="web",
        subject="Uji",
        applicant={"applicant_name": "A", "applicant_phone": "+6281200001111", "whatsapp_consent": True},
    )
    message = OutboxMessage.objects.get(request=request, channel="whatsapp")
    assert message.recipient == "6281200001111"
    message.refresh_from_db()
    assert message.failed_at is not None and "not connected" in message.last_error


def fk_login(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


# ---------------------------------------------------------------- no secret shown or logged


def test_the_admin_screen_never_shows_the_secrets(graph, caplog):
    admin = fk_login("bangli.admin")
    page = admin.get("/kelola/kanal/").content.decode()
    assert fk.PHONE_NUMBER_ID in page
    for secret in (fk.APP_SECRET, fk.TOKEN, fk.VERIFY_TOKEN):
        assert secret not in page
    # Saving without retyping the secrets keeps them.
    response = admin.post(
        "/kelola/kanal/",
        {
            "form": "whatsapp",
            "display_number": "0812 3866 945",
            "phone_number_id": fk.PHONE_NUMBER_ID,
            "waba_id": "1",
            "active": "on",
        },
    )
    assert response.status_code == 302
    account = seeded_account()
    assert account.app_secret == fk.APP_SECRET and account.access_token == fk.TOKEN
    # Stored encrypted: the raw column is not the secret.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT app_secret, access_token, verify_token FROM channels_whatsappaccount")
        raw = cursor.fetchone()
    assert fk.APP_SECRET not in raw[0] and fk.TOKEN not in raw[1] and fk.VERIFY_TOKEN not in raw[2]
    # Neither the verification (token in the query string) nor a conversation logs a secret.
    Client().get(
        f"/kanal/whatsapp/{AGENCY}/",
        {"hub.mode": "subscribe", "hub.verify_token": fk.VERIFY_TOKEN, "hub.challenge": "1"},
    )
    complaint_by_whatsapp(graph, photo=False)
    logged = caplog.text
    for secret in (fk.APP_SECRET, fk.TOKEN):
        assert secret not in logged
    assert fk_login("bangli.petugas").get("/kelola/kanal/").status_code == 404


def seeded_account():
    from layanan.channels.models import WhatsAppAccount

    return WhatsAppAccount.objects.get(agency__code=AGENCY)


def test_the_verify_token_is_redacted_from_request_logs():
    from layanan.core.logging import redact

    line = f"GET /kanal/whatsapp/X/?hub.mode=subscribe&hub.verify_token={fk.VERIFY_TOKEN}&hub.challenge=1"
    assert fk.VERIFY_TOKEN not in redact(line)


def test_idle_contacts_and_old_events_are_forgotten(graph):
    say("Halo")
    say("batal")
    old = timezone.now() - dialogue.CONTACT_KEPT - timedelta(days=1)
    WhatsAppContact.objects.update(last_inbound_at=old)
    WhatsAppEvent.objects.update(processed_at=old)
    say("Halo lagi", "6281234500099")  # a recent one stays
    assert dialogue.forget_idle() == 1 + 2
    assert WhatsAppContact.objects.count() == 1 and WhatsAppEvent.objects.count() == 1
