"""E-mail intake against a real IMAP server on loopback (Debian's dovecot, tests/imap.py) with real
MIME: multipart/alternative, inline images, =?UTF-8? headers, attachments; answers go out through a
real SMTP server (tests/smtp.py) in the thread of the citizen's e-mail."""

import io
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pytest
from django.core.management import call_command
from django.test import Client

from layanan.accounts.models import User
from layanan.channels import mail
from layanan.channels.models import InboundEmail, Mailbox
from layanan.requests import lifecycle
from layanan.requests.models import Attachment, OutboxMessage, Request, State
from layanan.standards.models import Service

from . import channels_fakes as fk
from .imap import PASSWORD, USER, deliver, dovecot, unseen
from .smtp import smtp_server

DUKCAPIL = "DISDUKCAPIL-PROBOLINGGO"


@pytest.fixture(scope="module")
def imap_port():
    with dovecot() as port:
        yield port


def make_mailbox(agency, port, *, default=True, password=PASSWORD) -> Mailbox:
    service = Service.objects.get(agency=agency) if default else None
    return Mailbox.objects.create(
        agency=agency,
        address=USER,
        host="127.0.0.1",
        port=port,
        security=Mailbox.Security.NONE,
        username=USER,
        password=password,
        default_service=service,
    )


def citizen_mail(
    subject,
    text,
    *,
    html=None,
    sender='"Siti Nurhaliza Ṣ." <siti@warga.test>',
    files=(),
    inline_image=None,
    headers=(),
    message_id=None,
) -> tuple[bytes, str]:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = USER
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id or make_msgid(domain="warga.test")
    for name, value in headers:
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
        if inline_image is not None:
            message.get_payload()[1].add_related(inline_image, "image", "jpeg", cid="<foto1@warga.test>")
    for name, data, maintype, subtype in files:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes(), message["Message-ID"]


def officer(username):
    return User.objects.get(username=username)


@pytest.fixture(autouse=True)
def _empty_inbox(request):
    """Earlier tests' unread mail must not leak into this one."""
    if "imap_port" in request.fixturenames:
        import imaplib

        port = request.getfixturevalue("imap_port")
        client = imaplib.IMAP4("127.0.0.1", port, timeout=5)
        client.login(USER, PASSWORD)
        client.select("INBOX")
        client.store("1:*", "+FLAGS", "(\\Deleted)") if client.search(None, "ALL")[1][0] else None
        client.expunge()
        client.logout()


# ---------------------------------------------------------------- the shape


def test_an_email_request_with_a_pdf_is_answered_by_email_in_the_same_thread(seeded, settings, imap_port):
    agency = seeded[DUKCAPIL]
    mailbox = make_mailbox(agency, imap_port)
    raw, original_id = citizen_mail(
        "Permohonan informasi syarat akta kelahiran",
        "Selamat pagi,\nMohon informasi syarat akta kelahiran anak.\n",
        files=[("Surat Pengantar RT.pdf", fk.pdf_bytes(), "application", "pdf")],
    )
    deliver(imap_port, raw)
    with smtp_server(settings) as inbox:
        assert mail.poll(mailbox) == 1
        assert unseen(imap_port) == 0  # flagged \Seen once stored
        request = Request.objects.get(channel="email")
        assert request.agency == agency and request.service.code == "informasi-adminduk"
        assert request.subject == "Permohonan informasi syarat akta kelahiran"
        assert request.applicant_email == "siti@warga.test" and request.applicant_name == "Siti Nurhaliza Ṣ."
        assert "syarat akta kelahiran anak" in request.description
        pdf = request.attachments.get()
        assert pdf.filename == "Surat Pengantar RT.pdf" and pdf.content_type == "application/pdf"
        receipt = inbox.messages[-1]
        assert request.tracking_code in receipt["Subject"]
        assert receipt["In-Reply-To"] == original_id and original_id in receipt["References"]
        assert receipt["Auto-Submitted"] == "auto-generated"

        petugas = officer("dukcapil.petugas")
        for _step in range(2):
            lifecycle.perform(request, petugas, "advance")
        lifecycle.perform(
            request, petugas, "advance", product_text="Syarat: surat keterangan lahir, KK, KTP."
        )
        request.refresh_from_db()
        assert request.state == State.RESOLVED
        answer = inbox.messages[-1]
        assert "Syarat: surat keterangan lahir" in answer.get_payload(decode=True).decode()
        assert answer["In-Reply-To"] == original_id and original_id in answer["References"]
        assert answer["To"] == "siti@warga.test"

    # The raw e-mail is not kept once it became a request (the request holds what matters).
    row = InboundEmail.objects.get()
    assert row.state == InboundEmail.State.REQUEST and not row.raw and row.request == request


def test_real_mime_alternative_inline_image_utf8_headers_and_attachments(demo, imap_port, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mailbox = make_mailbox(demo[DUKCAPIL], imap_port)
    raw, _ = citizen_mail(
        "Pengaduan: layanan KTP-el lambat — mohon dibantu 🙏",
        "Teks biasa: antrean KTP-el tiga jam.",
        html="<p>Teks <b>HTML</b>: antrean KTP-el tiga jam.</p><img src='cid:foto1@warga.test'>",
        inline_image=fk.jpeg_bytes(size=(400, 300)),
        sender='"Ñoman Wéda" <noman@warga.test>',
        files=[
            ("bukti.pdf", fk.pdf_bytes(), "application", "pdf"),
            ("virus.pdf", b"MZ\x90\x00 not a pdf at all", "application", "pdf"),
        ],
    )
    assert b"=?utf-8?" in raw.lower()  # the subject and the sender's name travel encoded
    deliver(imap_port, raw)
    mail.poll(mailbox)
    request = Request.objects.get(channel="email")
    assert request.subject == "Pengaduan: layanan KTP-el lambat — mohon dibantu 🙏"
    assert request.applicant_name == "Ñoman Wéda"
    assert request.description.startswith("Teks biasa: antrean KTP-el tiga jam.")  # the plain part
    assert "virus.pdf" in request.description  # refused, and the citizen's request says so
    names = sorted(request.attachments.values_list("filename", "content_type"))
    assert ("bukti.pdf", "application/pdf") in names
    assert any(ct == "image/jpeg" for _n, ct in names)  # the inline photo
    assert len(names) == 2


# ---------------------------------------------------------------- replies


def test_replies_are_threaded_by_tracking_code_and_by_in_reply_to(demo, imap_port, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mailbox = make_mailbox(demo[DUKCAPIL], imap_port)
    raw, _ = citizen_mail("Informasi pindah domisili", "Bagaimana cara pindah domisili?")
    deliver(imap_port, raw)
    mail.poll(mailbox)
    request = Request.objects.get(channel="email")
    ours = OutboxMessage.objects.create(
        request=request,
        channel="email",
        recipient="siti@warga.test",
        template="received",
        subject="s",
        body="b",
        dedupe_key="t:ours",
        provider_id=f"<outbox.999.received.{request.pk}@127.0.0.1>",
    )

    by_code, _ = citizen_mail(
        f"Re: [Dinas] Permohonan {request.tracking_code} diterima",
        "Terima kasih. Tambahan: saya pindah ke Kraksaan.\n\n> kutipan pesan lama\n",
    )
    deliver(imap_port, by_code)
    by_header, _ = citizen_mail(
        "Re: pertanyaan saya",
        "Satu lagi: apakah perlu surat pindah?",
        headers=[("In-Reply-To", ours.provider_id), ("References", ours.provider_id)],
    )
    deliver(imap_port, by_header)
    mail.poll(mailbox)
    messages = list(request.events.filter(action="message").order_by("id"))
    assert [m.note for m in messages] == [
        "Terima kasih. Tambahan: saya pindah ke Kraksaan.",
        "Satu lagi: apakah perlu surat pindah?",
    ]
    assert all(m.actor_kind == "applicant" and m.data == {"via": "email"} for m in messages)
    assert Request.objects.filter(channel="email").count() == 1

    # A reply with the missing document while the request waits on the applicant resumes the clock.
    lifecycle.perform(request, officer("dukcapil.petugas"), "advance")
    Request.objects.filter(pk=request.pk).update(state=State.WAITING_APPLICANT)
    request.pauses.create(started_at=request.created_at, missing=["KK"])
    with_file, _ = citizen_mail(
        f"Re: {request.tracking_code}",
        "Berikut KK saya.",
        files=[("kk.jpg", fk.jpeg_bytes(), "image", "jpeg")],
    )
    deliver(imap_port, with_file)
    mail.poll(mailbox)
    request.refresh_from_db()
    assert request.state == State.IN_PROGRESS
    assert request.attachments.get().purpose == Attachment.Purpose.REQUIREMENT
    assert request.events.filter(action="supply", actor_kind="applicant").exists()


def test_a_tracking_code_from_another_address_goes_to_the_front_desk(demo, imap_port):
    mailbox = make_mailbox(demo[DUKCAPIL], imap_port)
    deliver(imap_port, citizen_mail("Pertama", "Halo")[0])
    mail.poll(mailbox)
    request = Request.objects.get(channel="email")
    deliver(
        imap_port,
        citizen_mail(f"Re: {request.tracking_code}", "Saya orang lain", sender="lain@warga.test")[0],
    )
    mail.poll(mailbox)
    assert not request.events.filter(action="message").exists()
    assert InboundEmail.objects.filter(state=InboundEmail.State.TRIAGE).count() == 1


# ---------------------------------------------------------------- loops and noise


def test_automatic_mail_bounces_and_our_own_messages_never_become_requests(demo, imap_port):
    mailbox = make_mailbox(demo[DUKCAPIL], imap_port)
    deliver(
        imap_port,
        citizen_mail("Out of office", "Saya cuti.", headers=[("Auto-Submitted", "auto-replied")])[0],
    )
    deliver(imap_port, citizen_mail("Newsletter", "Promo", headers=[("Precedence", "bulk")])[0])
    deliver(imap_port, citizen_mail("[Dinas] Permohonan diterima", "Salinan kami", sender=USER)[0])
    deliver(
        imap_port,
        citizen_mail("x", "y", message_id="<outbox.5.received.1@127.0.0.1>", sender="noreply@other.test")[0],
    )
    dsn = EmailMessage()
    dsn["From"] = "MAILER-DAEMON@mail.warga.test"
    dsn["To"] = USER
    dsn["Subject"] = "Undelivered Mail Returned to Sender"
    dsn["Message-ID"] = make_msgid(domain="mail.warga.test")
    dsn.set_content("This is the mail system.")
    dsn.add_attachment(
        "Reporting-MTA: dns; mail.warga.test\nFinal-Recipient: rfc822; x@warga.test\n"
        "Action: failed\nStatus: 5.1.1\n",
        subtype="delivery-status",
    )
    dsn.replace_header("Content-Type", dsn["Content-Type"].replace("multipart/mixed", "multipart/report"))
    deliver(imap_port, dsn.as_bytes())
    assert mail.poll(mailbox) == 5
    assert Request.objects.filter(channel="email").count() == 0
    reasons = sorted(InboundEmail.objects.values_list("reason", flat=True))
    assert reasons == ["auto-submitted", "bounce", "own", "own", "precedence"]
    assert set(InboundEmail.objects.values_list("state", flat=True)) == {InboundEmail.State.IGNORED}


def test_a_sender_flood_is_held(demo, imap_port, monkeypatch):
    monkeypatch.setattr(mail, "FLOOD_LIMIT", 3)
    mailbox = make_mailbox(demo[DUKCAPIL], imap_port)
    for n in range(5):
        deliver(imap_port, citizen_mail(f"Permohonan {n}", "Isi")[0])
    mail.poll(mailbox)
    assert Request.objects.filter(channel="email").count() == 3
    assert InboundEmail.objects.filter(state=InboundEmail.State.LIMITED).count() == 2


def test_polling_twice_fetches_nothing_twice(demo, imap_port):
    mailbox = make_mailbox(demo[DUKCAPIL], imap_port)
    raw, _ = citizen_mail("Sekali saja", "Isi")
    deliver(imap_port, raw)
    assert mail.poll(mailbox) == 1
    deliver(imap_port, raw)  # the same message delivered again (same Message-ID)
    assert mail.poll(mailbox) == 0
    assert Request.objects.filter(channel="email").count() == 1
    deliver(imap_port, citizen_mail("Lewat perintah", "Isi")[0])
    out = io.StringIO()
    call_command("poll_mailboxes", "--agency", DUKCAPIL, stdout=out)
    assert out.getvalue().strip() == f"{DUKCAPIL}: 1 new, 0 processed (ok)"  # processed by the worker task
    assert Request.objects.filter(channel="email").count() == 2


def test_a_wrong_password_is_reported_without_the_password(demo, imap_port):
    mailbox = make_mailbox(demo[DUKCAPIL], imap_port, password="salah-sandi-9876")
    assert mail.poll(mailbox) == 0
    mailbox.refresh_from_db()
    assert mailbox.last_error and "salah-sandi-9876" not in mailbox.last_error
    page = Client()
    page.force_login(officer("dukcapil.admin"))
    html = page.get("/kelola/kanal/").content.decode()
    assert (
        mailbox.last_error.split(":")[0] in html and "salah-sandi-9876" not in html and PASSWORD not in html
    )


# ---------------------------------------------------------------- the triage queue


def test_without_a_default_service_the_front_desk_classifies(demo, imap_port):
    mailbox = make_mailbox(demo[DUKCAPIL], imap_port, default=False)
    deliver(
        imap_port,
        citizen_mail(
            "Tanya-tanya",
            "Saya mau bertanya soal KIA.",
            files=[("kia.pdf", fk.pdf_bytes(), "application", "pdf")],
        )[0],
    )
    deliver(imap_port, citizen_mail("Terima kasih", "Sudah beres, terima kasih.")[0])
    mail.poll(mailbox)
    assert Request.objects.filter(channel="email").count() == 0
    rows = list(InboundEmail.objects.filter(state=InboundEmail.State.TRIAGE).order_by("id"))
    assert len(rows) == 2

    desk = Client()
    desk.force_login(officer("dukcapil.petugas"))
    listing = desk.get("/kelola/kanal/klasifikasi/").content.decode()
    assert "Tanya-tanya" in listing and "Terima kasih" in listing
    item = desk.get(f"/kelola/kanal/klasifikasi/{rows[0].pk}/")
    assert "soal KIA" in item.content.decode() and "kia.pdf" in item.content.decode()
    service = Service.objects.get(agency=demo[DUKCAPIL])
    response = desk.post(f"/kelola/kanal/klasifikasi/{rows[0].pk}/", {"service": service.pk})
    request = Request.objects.get(channel="email")
    assert response.status_code == 302 and response["Location"] == f"/kelola/permohonan/{request.pk}/"
    assert request.attachments.get().filename == "kia.pdf"
    assert desk.post(f"/kelola/kanal/klasifikasi/{rows[1].pk}/", {"dismiss": "1"}).status_code == 302
    assert InboundEmail.objects.get(pk=rows[1].pk).state == InboundEmail.State.IGNORED
    # Done is done: a second classification of the same e-mail is a 404, not a second request.
    assert desk.post(f"/kelola/kanal/klasifikasi/{rows[0].pk}/", {"service": service.pk}).status_code == 404
    assert Request.objects.filter(channel="email").count() == 1
    # Another agency's front desk does not see it.
    other = Client()
    other.force_login(officer("bangli.petugas"))
    assert other.get(f"/kelola/kanal/klasifikasi/{rows[1].pk}/").status_code == 404


def test_anonymising_the_request_forgets_the_sender(demo, imap_port):
    mailbox = make_mailbox(demo[DUKCAPIL], imap_port, default=False)
    deliver(
        imap_port,
        citizen_mail("Data saya", "Isi", files=[("kk.pdf", fk.pdf_bytes(), "application", "pdf")])[0],
    )
    mail.poll(mailbox)
    row = InboundEmail.objects.get()
    assert row.raw and row.sender == "siti@warga.test"
    request = mail.classify(row, Service.objects.get(agency=demo[DUKCAPIL]), officer("dukcapil.petugas"))
    Request.objects.filter(pk=request.pk).update(state=State.CLOSED, closed_at=request.created_at)
    assert lifecycle.anonymise(request.pk)
    row.refresh_from_db()
    assert (row.sender, row.sender_digest, row.subject, row.message_id, row.raw.name) == ("", "", "", "", "")
