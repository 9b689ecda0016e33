"""Processing what arrives on an agency's WhatsApp number (in the worker, never in the webhook).

One message at a time per citizen, in the order they were written, under a lock on the
citizen's contact row:

1. a guided dialogue in progress takes the message ("batal" ends it; dialogue.py);
2. a reply quoting one of our messages about an open request → that request;
3. an open request of this agency for this number → that request ("baru" starts a new one);
4. otherwise the guided dialogue starts.

On a request, text is the applicant's message on its timeline (lifecycle "message", via
WhatsApp); a photo or PDF is checked like a web upload (intake.check_upload) and, while the
request waits on the applicant, it is the missing document: stored, then lifecycle "supply",
which resumes the clock (intake.supply_missing's pattern). Media are downloaded before the
transaction (the two-step Graph API download), so no lock is held while the platform answers.
"""

import json
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from layanan.requests import access, intake, lifecycle
from layanan.requests.models import OPEN_STATES, Attachment, OutboxMessage, Request, State

from . import dialogue, whatsapp
from .models import WhatsAppAccount, WhatsAppContact, WhatsAppEvent, address_digest

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
MEDIA_TYPES = {"image", "document"}
UNSUPPORTED_MEDIA = {"video", "audio", "sticker"}


@dataclass
class Inbound:
    """One citizen's message as the processing sees it."""

    account: WhatsAppAccount
    contact: WhatsAppContact
    event: WhatsAppEvent
    wa_id: str
    text: str = ""
    quoted: str = ""  # the id of our message it replies to
    upload: intake.CheckedUpload | None = None
    media_error: str = ""
    stored: list = field(default_factory=list)  # files written (removed again if the transaction fails)
    replies: int = 0
    request: Request | None = None
    outcome: str = ""

    def reply(self, text: str, *, request=None):
        self.replies += 1
        whatsapp.queue_text(
            self.account, self.wa_id, text, f"wa:reply:{self.event.pk}:{self.replies}", request=request
        )

    @property
    def word(self) -> str:
        return " ".join(self.text.lower().split())


# ---------------------------------------------------------------- entry points (tasks.py)


def pending_contacts(limit: int = 500) -> list[tuple[int, str]]:
    """(account id, contact digest) of citizens with unprocessed messages."""
    rows = (
        WhatsAppEvent.objects.filter(processed_at__isnull=True, kind=WhatsAppEvent.Kind.MESSAGE)
        .values_list("account_id", "contact_digest")
        .distinct()[:limit]
    )
    return list(rows)


def process_contact(account_id: int, digest: str) -> int:
    """Process one citizen's waiting messages, oldest first. Returns how many were processed."""
    done = 0
    tried: set[int] = set()
    while True:
        event = (
            WhatsAppEvent.objects.filter(
                account_id=account_id,
                contact_digest=digest,
                kind=WhatsAppEvent.Kind.MESSAGE,
                processed_at__isnull=True,
            )
            .exclude(pk__in=tried)
            .order_by("sent_at", "id")
            .first()
        )
        if event is None:
            return done
        tried.add(event.pk)
        if process_message(event.pk):
            done += 1
        else:
            return done  # keep the order: a failed message is retried before the later ones


def process_message(event_id: int) -> bool:
    """Process one inbound message; True when it is done (now or before)."""
    event = WhatsAppEvent.objects.select_related("account", "account__agency").filter(pk=event_id).first()
    if event is None or event.processed_at is not None:
        return True
    try:
        data = json.loads(event.payload or "{}")
        message = data.get("message") or {}
        media = _fetch_media(event.account, message)  # outside any transaction
        return _apply(event, message, data.get("profile_name", ""), media)
    except Exception as exc:  # noqa: BLE001 — recorded on the row, retried by the periodic run
        _record_failure(event, exc)
        return False


def _apply(event, message, profile_name, media) -> bool:
    stored: list[str] = []
    try:
        with transaction.atomic():
            contact = _lock_contact(event.account, str(message.get("from", "")), profile_name)
            locked = WhatsAppEvent.objects.select_for_update().get(pk=event.pk)
            if locked.processed_at is not None:
                return True
            inbound = Inbound(
                account=event.account,
                contact=contact,
                event=locked,
                wa_id=str(message.get("from", "")),
                text=message_text(message),
                quoted=str((message.get("context") or {}).get("id", "")),
            )
            inbound.upload, inbound.media_error = media
            inbound.stored = stored
            route(inbound)
            now = timezone.now()
            seen = locked.sent_at or now
            if contact.last_inbound_at is None or seen > contact.last_inbound_at:
                contact.last_inbound_at = min(seen, now)
            contact.save()
            locked.processed_at, locked.payload = now, ""  # the citizen's words live on the request now
            locked.outcome, locked.request = inbound.outcome[:40], inbound.request
            locked.attempts += 1
            locked.error = ""
            locked.save()
    except BaseException:
        intake.remove_files(stored)
        raise
    return True


def _record_failure(event, exc) -> None:
    error = type(exc).__name__  # never the message: it may hold the citizen's words
    log.warning("whatsapp event %s failed: %s", event.pk, error)
    fields = {"attempts": event.attempts + 1, "error": error}
    if event.attempts + 1 >= MAX_ATTEMPTS:
        fields.update(processed_at=timezone.now(), outcome="failed", payload="")
    WhatsAppEvent.objects.filter(pk=event.pk).update(**fields)


def _lock_contact(account, wa_id: str, profile_name: str) -> WhatsAppContact:
    digest = address_digest("wa", wa_id)
    try:
        with transaction.atomic():
            WhatsAppContact.objects.get_or_create(
                account=account, digest=digest, defaults={"wa_id": wa_id, "profile_name": profile_name[:200]}
            )
    except IntegrityError:
        pass  # created at the same moment by another worker
    contact = WhatsAppContact.objects.select_for_update().get(account=account, digest=digest)
    if profile_name and contact.profile_name != profile_name[:200]:
        contact.profile_name = profile_name[:200]
    return contact


def message_text(message: dict) -> str:
    kind = message.get("type")
    if kind == "text":
        return str((message.get("text") or {}).get("body", ""))
    if kind == "button":
        return str((message.get("button") or {}).get("text", ""))
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return str(reply.get("title", ""))
    if kind in MEDIA_TYPES:
        return str((message.get(kind) or {}).get("caption", ""))
    return ""


def _fetch_media(account, message: dict) -> tuple[intake.CheckedUpload | None, str]:
    """(checked upload, "") or (None, the Indonesian reason), for a photo or document message."""
    kind = message.get("type")
    if kind in UNSUPPORTED_MEDIA:
        return None, _("Maaf, kami hanya dapat menerima foto atau dokumen PDF, JPEG, PNG atau DOCX.")
    if kind not in MEDIA_TYPES:
        return None, ""
    media = message.get(kind) or {}
    name = media.get("filename") or (
        f"foto-{message.get('id', '')[-8:]}.jpg" if kind == "image" else "dokumen"
    )
    try:
        data, _mime = whatsapp.download_media(account, str(media.get("id", "")))
    except ValueError:
        return None, _("Berkas terlalu besar: %(allowed)s.") % {"allowed": intake.ALLOWED_TYPES_TEXT}
    # A GraphError propagates: the message is retried later (the platform keeps media for days).
    try:
        return intake.check_upload(SimpleUploadedFile(name, data)), ""
    except ValidationError as exc:
        return None, " ".join(exc.messages)


# ---------------------------------------------------------------- routing


def route(inbound: Inbound) -> None:
    contact = inbound.contact
    if contact.dialogue_step and dialogue.expired(contact):
        dialogue.end(contact)
    if contact.dialogue_step:
        dialogue.handle(inbound)
        return
    if inbound.quoted:
        request = quoted_request(inbound.account, inbound.quoted)
        if request is not None and request.state in OPEN_STATES:
            on_request(inbound, request)
            return
    if inbound.word != dialogue.NEW_WORD:
        request = open_request_for(inbound.account, inbound.wa_id)
        if request is not None:
            on_request(inbound, request)
            return
    dialogue.start(inbound)


def quoted_request(account, wamid: str) -> Request | None:
    message = (
        OutboxMessage.objects.filter(
            provider_id=wamid, channel=OutboxMessage.Channel.WHATSAPP, request__agency_id=account.agency_id
        )
        .select_related("request")
        .first()
    )
    return message.request if message else None


def open_request_for(account, wa_id: str) -> Request | None:
    """The latest open request of this agency whose applicant phone is this WhatsApp number."""
    from layanan.privacy.models import IdentifierKind
    from layanan.privacy.subjects import Identifier, request_ids

    ids = request_ids(account.agency_id, Identifier(IdentifierKind.PHONE, "+" + wa_id).digest)
    if not ids:
        return None
    return (
        Request.objects.filter(pk__in=ids, agency_id=account.agency_id, state__in=OPEN_STATES)
        .order_by("-updated_at", "-id")
        .first()
    )


def on_request(inbound: Inbound, request: Request) -> None:
    """The citizen writes on an open request: a message, the missing documents, or other files."""
    inbound.request = request
    actor = access.ApplicantActor(request.pk, via="whatsapp")
    code = request.tracking_code
    if inbound.media_error:
        inbound.outcome = "media_refused"
        inbound.reply(
            inbound.media_error + " " + _("Permohonan %(code)s tidak berubah.") % {"code": code},
            request=request,
        )
        return
    try:
        if inbound.upload is not None:
            _file_on_request(inbound, request, actor)
            return
        if not inbound.text.strip():
            inbound.outcome = "ignored"
            return
        lifecycle.perform(request, actor, "message", note=inbound.text.strip()[:5000], via="whatsapp")
    except lifecycle.LifecycleError:
        inbound.outcome = "refused"
        inbound.reply(
            _(
                "Permohonan %(code)s sudah tidak dapat menerima pesan. Ketik BARU untuk "
                "mengajukan permohonan baru."
            )
            % {"code": code},
            request=request,
        )
        return
    inbound.outcome = "message"
    inbound.reply(
        _("Pesan Anda telah kami catat pada permohonan %(code)s dan diteruskan kepada petugas.")
        % {"code": code},
        request=request,
    )


def _file_on_request(inbound: Inbound, request: Request, actor) -> None:
    upload = inbound.upload
    waiting = request.state == State.WAITING_APPLICANT
    upload.purpose = Attachment.Purpose.REQUIREMENT if waiting else Attachment.Purpose.EVIDENCE
    inbound.stored.extend(intake.attach_files(request, [upload], None))
    caption = inbound.text.strip()[:500]
    if waiting:
        note = _("Pemohon mengirim kelengkapan melalui WhatsApp: %(files)s.") % {"files": upload.display_name}
        lifecycle.perform(request, actor, "supply", note=(note + " " + caption).strip())
        inbound.outcome = "supply"
        inbound.reply(
            _("Terima kasih, kelengkapan “%(file)s” telah kami terima. Permohonan %(code)s diproses kembali.")
            % {"file": upload.display_name, "code": request.tracking_code},
            request=request,
        )
        return
    note = _("Pemohon mengirim berkas melalui WhatsApp: %(files)s.") % {"files": upload.display_name}
    lifecycle.perform(request, actor, "message", note=(note + " " + caption).strip(), via="whatsapp")
    inbound.outcome = "file"
    inbound.reply(
        _("Berkas “%(file)s” telah kami lampirkan pada permohonan %(code)s.")
        % {"file": upload.display_name, "code": request.tracking_code},
        request=request,
    )
