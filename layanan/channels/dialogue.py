"""The guided WhatsApp dialogue that turns a citizen's messages into a request.

Numbered choices a person can type, in Indonesian: the service (from the agency's published
ones), the subject, the description, photos or PDFs as evidence, for a complaint whether it is
anonymous or confidential, then a summary to confirm ("KIRIM"). The state lives on the contact
row (encrypted), so it survives restarts; after DIALOGUE_TIMEOUT without an answer it ends with
a polite message (tasks.expire_dialogues), and "batal" ends it at any step. The result is a
real request: intake.register → lifecycle.submit(channel="whatsapp", actor=None), whose receipt
(code, due time, tracking link) goes back on WhatsApp like every other notification.
"""

import json
import re
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from layanan.core.site import site_url
from layanan.requests import intake
from layanan.requests.models import ApplicantType, Attachment
from layanan.standards.contacts import normalise_phone
from layanan.standards.models import Service, ServiceKind

from .models import DialogueFile, WhatsAppContact

DIALOGUE_TIMEOUT = timedelta(minutes=30)
CANCEL_WORDS = {"batal", "cancel", "stop"}
NEW_WORD = "baru"
DONE_WORDS = {"selesai", "lewati", "tidak", "tidak ada", "skip", "lanjut"}
SEND_WORDS = {"kirim", "ya", "setuju"}
MAX_FILES = intake.MAX_FILES
Step = WhatsAppContact.Step


# ---------------------------------------------------------------- state


def _data(contact) -> dict:
    try:
        return json.loads(contact.dialogue_data or "{}")
    except ValueError:
        return {}


def _save(contact, step, data) -> None:
    contact.dialogue_step = step
    contact.dialogue_data = json.dumps(data)
    contact.dialogue_updated_at = timezone.now()


def expired(contact, now=None) -> bool:
    now = now or timezone.now()
    return bool(contact.dialogue_updated_at and contact.dialogue_updated_at < now - DIALOGUE_TIMEOUT)


def end(contact) -> None:
    """Forget the dialogue and its files (after the transaction commits)."""
    names = [f.file.name for f in contact.files.all() if f.file.name]
    contact.files.all().delete()
    contact.dialogue_step, contact.dialogue_data, contact.dialogue_updated_at = "", "", None
    if names:
        transaction.on_commit(lambda: intake.remove_files(names))


def _services(agency):
    return list(
        Service.objects.filter(agency=agency, published_standard__isnull=False)
        .only("pk", "name", "kind")
        .order_by("position", "name")
    )


# ---------------------------------------------------------------- steps


def start(inbound) -> None:
    contact, agency = inbound.contact, inbound.account.agency
    services = _services(agency)
    inbound.outcome = "dialogue"
    if not services:
        inbound.reply(
            _(
                "Terima kasih telah menghubungi %(agency)s. Saat ini belum ada layanan yang dapat "
                "diajukan lewat WhatsApp."
            )
            % {"agency": agency.name}
        )
        return
    greeting = _("Selamat datang di layanan WhatsApp %(agency)s.") % {"agency": agency.name}
    if len(services) == 1:
        _save(contact, Step.SUBJECT, {"service": services[0].pk, "files": 0})
        inbound.reply(
            greeting
            + "\n\n"
            + _("Layanan: %(service)s.") % {"service": services[0].name}
            + "\n"
            + _subject_prompt(services[0])
            + "\n\n"
            + _("Ketik BATAL kapan saja untuk membatalkan.")
        )
        _keep_first_file(inbound)
        return
    lines = [f"{i}. {s.name}" for i, s in enumerate(services, 1)]
    _save(contact, Step.SERVICE, {"choices": [s.pk for s in services], "files": 0})
    inbound.reply(
        greeting
        + "\n"
        + _("Silakan pilih layanan dengan mengetik nomornya:")
        + "\n"
        + "\n".join(lines)
        + "\n\n"
        + _("Ketik BATAL kapan saja untuk membatalkan.")
    )
    _keep_first_file(inbound)


def _keep_first_file(inbound) -> None:
    """A photo sent as the very first message is kept as evidence."""
    if inbound.upload is not None:
        _store_file(inbound)


def _subject_prompt(service) -> str:
    if service.kind == ServiceKind.COMPLAINT:
        return _("Tuliskan judul singkat pengaduan Anda (mis. “Jalan rusak di Desa Kayuambua”).")
    return _("Tuliskan perihal permohonan Anda dalam satu kalimat.")


def handle(inbound) -> None:
    contact = inbound.contact
    data = _data(contact)
    inbound.outcome = "dialogue"
    if inbound.word in CANCEL_WORDS:
        end(contact)
        inbound.outcome = "cancelled"
        inbound.reply(
            _(
                "Baik, permohonan dibatalkan dan data yang Anda kirim dalam percakapan ini dihapus. "
                "Kirim pesan apa saja bila ingin memulai lagi."
            )
        )
        return
    if inbound.media_error:
        inbound.reply(inbound.media_error)
        return
    step = contact.dialogue_step
    if inbound.upload is not None and step != Step.SERVICE:
        _store_file(inbound, data)
        if step == Step.EVIDENCE:
            inbound.reply(
                _(
                    "Berkas “%(file)s” diterima (%(n)d berkas). Kirim berkas lain, atau ketik "
                    "SELESAI bila sudah."
                )
                % {"file": inbound.upload.display_name, "n": data["files"]}
            )
            _save(contact, step, data)
            return
        if not inbound.text.strip():
            inbound.reply(_("Berkas “%(file)s” diterima.") % {"file": inbound.upload.display_name})
            _save(contact, step, data)
            return
    HANDLERS[step](inbound, data)


def _service_step(inbound, data):
    choices = data.get("choices", [])
    number = _number(inbound.text)
    if number is None or not 1 <= number <= len(choices):
        inbound.reply(_("Ketik nomor layanan, 1 sampai %(n)d.") % {"n": len(choices)})
        _save(inbound.contact, Step.SERVICE, data)
        return
    service = Service.objects.filter(pk=choices[number - 1], published_standard__isnull=False).first()
    if service is None:
        start(inbound)
        return
    data["service"] = service.pk
    _save(inbound.contact, Step.SUBJECT, data)
    inbound.reply(_("Layanan: %(service)s.") % {"service": service.name} + "\n" + _subject_prompt(service))


def _subject_step(inbound, data):
    text = " ".join(inbound.text.split())
    if len(text) < 3:
        inbound.reply(_("Perihal terlalu pendek. Tuliskan dalam satu kalimat."))
        _save(inbound.contact, Step.SUBJECT, data)
        return
    data["subject"] = text[:300]
    _save(inbound.contact, Step.DESCRIPTION, data)
    inbound.reply(_("Sekarang tuliskan uraiannya: apa yang terjadi atau yang Anda perlukan, di mana, kapan."))


def _description_step(inbound, data):
    text = inbound.text.strip()
    if len(text) < 3:
        inbound.reply(_("Uraian masih kosong. Tuliskan uraian permohonan atau pengaduan Anda."))
        _save(inbound.contact, Step.DESCRIPTION, data)
        return
    data["description"] = text[:5000]
    _save(inbound.contact, Step.EVIDENCE, data)
    inbound.reply(
        _(
            "Bila ada, kirim foto atau dokumen (%(allowed)s) sebagai "
            "bukti atau persyaratan, boleh beberapa. Ketik SELESAI bila sudah, atau LEWATI bila "
            "tidak ada."
        )
        % {"allowed": intake.ALLOWED_TYPES_TEXT}
    )


def _evidence_step(inbound, data):
    if inbound.word not in DONE_WORDS:
        inbound.reply(_("Kirim foto atau dokumen, atau ketik SELESAI untuk melanjutkan."))
        _save(inbound.contact, Step.EVIDENCE, data)
        return
    service = Service.objects.filter(pk=data.get("service")).first()
    if service is not None and service.kind == ServiceKind.COMPLAINT:
        _save(inbound.contact, Step.IDENTITY, data)
        inbound.reply(_identity_prompt())
        return
    data["identity"] = "person"
    _confirm_prompt(inbound, data)


def _identity_prompt() -> str:
    return "\n".join(
        [
            _("Bagaimana identitas Anda dicatat? Ketik nomornya:"),
            _("1. Biasa: nama dan nomor WhatsApp Anda dicatat; kabar dikirim lewat WhatsApp"),
            _("2. Rahasia: identitas Anda hanya boleh dilihat petugas pengaduan"),
            _("3. Anonim: tanpa identitas; ikuti perkembangan lewat tautan lacak saja"),
        ]
    )


IDENTITIES = {1: "person", 2: "confidential", 3: "anonymous"}


def _identity_step(inbound, data):
    number = _number(inbound.text)
    if number not in IDENTITIES:
        inbound.reply(_("Ketik 1, 2 atau 3.") + "\n" + _identity_prompt())
        _save(inbound.contact, Step.IDENTITY, data)
        return
    data["identity"] = IDENTITIES[number]
    _confirm_prompt(inbound, data)


def _confirm_prompt(inbound, data):
    service = Service.objects.filter(pk=data.get("service")).first()
    identity = {"person": _("biasa"), "confidential": _("rahasia"), "anonymous": _("anonim")}[
        data["identity"]
    ]
    description = data.get("description", "")
    summary = "\n".join(
        [
            _("Periksa kembali:"),
            _("Layanan: %(v)s") % {"v": service.name if service else "-"},
            _("Perihal: %(v)s") % {"v": data.get("subject", "")},
            _("Uraian: %(v)s") % {"v": description if len(description) <= 300 else description[:297] + "…"},
            _("Berkas: %(n)d") % {"n": data.get("files", 0)},
            _("Identitas: %(v)s") % {"v": identity},
            "",
            _(
                "Data pribadi Anda hanya dipakai untuk menangani permohonan ini (UU 27/2022). "
                "Ketik KIRIM untuk mengirim, atau BATAL untuk membatalkan."
            ),
        ]
    )
    _save(inbound.contact, Step.CONFIRM, data)
    inbound.reply(summary)


def _confirm_step(inbound, data):
    if inbound.word not in SEND_WORDS:
        inbound.reply(_("Ketik KIRIM untuk mengirim, atau BATAL untuk membatalkan."))
        _save(inbound.contact, Step.CONFIRM, data)
        return
    submit(inbound, data)


HANDLERS = {
    Step.SERVICE: _service_step,
    Step.SUBJECT: _subject_step,
    Step.DESCRIPTION: _description_step,
    Step.EVIDENCE: _evidence_step,
    Step.IDENTITY: _identity_step,
    Step.CONFIRM: _confirm_step,
}


def _number(text: str) -> int | None:
    match = re.fullmatch(r"\s*(\d{1,3})\s*[.)]?\s*", text or "")
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------- files


def _store_file(inbound, data=None) -> None:
    contact = inbound.contact
    if data is None:
        data = _data(contact)
    if data.get("files", 0) >= MAX_FILES:
        inbound.reply(_("Paling banyak %(max)d berkas per permohonan.") % {"max": MAX_FILES})
        return
    upload = inbound.upload
    record = DialogueFile(
        contact=contact, filename=upload.display_name, content_type=upload.content_type, size=upload.size
    )
    upload.file.seek(0)
    target = f"{record.file.field.upload_to(record, '')}.{intake.EXTENSIONS.get(upload.content_type, 'bin')}"
    name = default_storage.save(target, upload.file, max_length=300)
    inbound.stored.append(name)
    record.file.name = name
    record.save()
    data["files"] = data.get("files", 0) + 1
    _save(contact, contact.dialogue_step, data)


# ---------------------------------------------------------------- the request


def submit(inbound, data) -> None:
    contact, account = inbound.contact, inbound.account
    service = (
        Service.objects.select_related("published_standard")
        .filter(pk=data.get("service"), agency_id=account.agency_id)
        .first()
    )
    if service is None or service.published_standard is None:
        end(contact)
        inbound.reply(_("Maaf, layanan itu tidak lagi tersedia. Kirim pesan apa saja untuk memulai lagi."))
        return
    identity = data.get("identity", "person")
    now = timezone.now()
    applicant = intake.applicant_fields(
        {
            "applicant_type": ApplicantType.ANONYMOUS if identity == "anonymous" else ApplicantType.PERSON,
            "name": contact.profile_name or _("Warga (WhatsApp)"),
            "phone": _phone(inbound.wa_id),
            "confidential": identity == "confidential",
        },
        consent_at=now,
    )
    applicant["whatsapp_consent"] = identity != "anonymous"
    files = list(contact.files.all())
    uploads = [
        intake.CheckedUpload(
            file=f.file,
            display_name=f.filename,
            content_type=f.content_type,
            size=f.size,
            purpose=Attachment.Purpose.EVIDENCE,
        )
        for f in files
    ]
    for f in files:
        f.file.open("rb")
    try:
        request, _created = intake.register(
            intake.Submission(
                standard=service.published_standard,
                channel="whatsapp",
                subject=data.get("subject", ""),
                description=data.get("description", ""),
                applicant=applicant,
                uploads=uploads,
                idempotency_key=f"whatsapp:{inbound.event.external_id}"[:100],
            )
        )
    finally:
        for f in files:
            f.file.close()
    inbound.request, inbound.outcome = request, "submitted"
    end(contact)
    if identity == "anonymous":
        # No number is kept on an anonymous complaint: the receipt goes back on this conversation now.
        inbound.reply(
            render_to_string(
                "notifications/received.whatsapp.txt",
                {"request": request, "agency": request.agency, "base_url": _base_url()},
            ).strip(),
            request=request,
        )


def _phone(wa_id: str) -> str:
    try:
        return normalise_phone("+" + wa_id)
    except ValueError:
        return "+" + wa_id


def _base_url() -> str:
    return site_url()


# ---------------------------------------------------------------- timeouts (tasks.expire_dialogues)


def expire_idle(now=None) -> int:
    """End dialogues left unanswered for DIALOGUE_TIMEOUT, politely (the citizen may start again)."""
    from . import whatsapp

    now = now or timezone.now()
    ids = list(
        WhatsAppContact.objects.filter(
            dialogue_step__gt="", dialogue_updated_at__lt=now - DIALOGUE_TIMEOUT
        ).values_list("pk", flat=True)[:500]
    )
    ended = 0
    for pk in ids:
        with transaction.atomic():
            contact = (
                WhatsAppContact.objects.select_for_update()
                .select_related("account", "account__agency")
                .filter(pk=pk, dialogue_step__gt="")
                .first()
            )
            if contact is None or not expired(contact, now):
                continue
            stamp = f"{contact.dialogue_updated_at:%Y%m%d%H%M%S}"
            end(contact)
            contact.save()
            whatsapp.queue_text(
                contact.account,
                contact.wa_id,
                _(
                    "Percakapan kami akhiri karena tidak ada balasan selama %(minutes)d menit; data yang "
                    "Anda kirim dalam percakapan ini dihapus. Kirim pesan apa saja bila ingin memulai lagi."
                )
                % {"minutes": DIALOGUE_TIMEOUT.seconds // 60},
                f"wa:timeout:{contact.pk}:{stamp}",
            )
            ended += 1
    return ended


# ---------------------------------------------------------------- keeping little (UU 27/2022)

CONTACT_KEPT = timedelta(days=30)


def forget_idle(now=None) -> int:
    """Contacts that have not written for CONTACT_KEPT (their number, profile name, last message time)
    and processed webhook events of that age (kept that long only to recognise redeliveries)."""
    from .models import WhatsAppEvent

    now = now or timezone.now()
    before = now - CONTACT_KEPT
    contacts = WhatsAppContact.objects.filter(dialogue_step="", last_inbound_at__lt=before).delete()[0]
    events = WhatsAppEvent.objects.filter(processed_at__lt=before).delete()[0]
    return contacts + events
