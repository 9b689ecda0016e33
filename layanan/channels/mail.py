"""E-mail intake: the agency's mailbox over IMAP, as help desks (Zammad, Znuny) do it.

**Polling** (the worker, every minute; `manage.py poll_mailboxes` by hand): IMAPS (993), STARTTLS
(143) or plain IMAP on a trusted network; a Gmail account works with an app password
(imap.gmail.com:993). Unseen messages are fetched with BODY.PEEK, stored (one row per Message-ID:
a crash between storing and flagging fetches nothing twice) and flagged \\Seen.

**Processing** (the worker): each stored e-mail is

- *noise* when it says it is automatic (`Auto-Submitted` other than `no`, `Precedence: bulk / junk /
  list`, `X-Autoreply`), is a bounce (a DSN, `multipart/report`, or from MAILER-DAEMON / postmaster)
  or is one of ours (our own address, our `Message-ID`s): never a request;
- *held* when its sender sent more than FLOOD_LIMIT e-mails in the last hour;
- a *reply* when its subject carries one of the agency's tracking codes (and it comes from the
  applicant's address) or its `In-Reply-To` / `References` name a Message-ID we sent
  (OutboxMessage.provider_id): the applicant's message on the request; attachments are checked
  like uploads and, while the request waits on the applicant, supply what is missing;
- otherwise a *new request* of the service named in the subject, else the mailbox's default
  service, else it waits in the front desk's triage queue ("untuk diklasifikasi").
"""

import email
import email.policy
import hashlib
import imaplib
import logging
import re
import ssl
from datetime import timedelta
from email.utils import getaddresses, parseaddr

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from layanan.requests import access, intake, lifecycle
from layanan.requests.models import OPEN_STATES, ApplicantType, Attachment, OutboxMessage, Request, State
from layanan.standards.models import Service

from .models import InboundEmail, Mailbox, address_digest
from .signals import inbound_stored

log = logging.getLogger(__name__)

IMAP_TIMEOUT = 30
MAX_PER_POLL = 200
FLOOD_LIMIT = 20  # e-mails per sender per hour before the rest are held
MIN_INLINE_IMAGE = 2048  # smaller inline images are logos and icons of a signature
TRACKING_CODE = re.compile(r"\b([A-Z0-9][A-Z0-9-]*-\d{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})\b")
BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


# ---------------------------------------------------------------- polling


def poll_all() -> int:
    total = 0
    for mailbox in Mailbox.objects.filter(active=True).select_related("agency"):
        total += poll(mailbox)
    return total


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    if mailbox.security == Mailbox.Security.SSL:
        return imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=IMAP_TIMEOUT
        )
    client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=IMAP_TIMEOUT)
    if mailbox.security == Mailbox.Security.STARTTLS:
        client.starttls(ssl_context=ssl.create_default_context())
    return client


def poll(mailbox: Mailbox) -> int:
    """Fetch the unseen e-mails of one mailbox; returns how many new ones were stored."""
    stored = 0
    try:
        client = _connect(mailbox)
        try:
            client.login(mailbox.username, mailbox.password)
            typ, _data = client.select(_quote(mailbox.folder))
            if typ != "OK":
                raise imaplib.IMAP4.error(f"folder {mailbox.folder!r} cannot be opened")
            typ, found = client.uid("SEARCH", None, "UNSEEN")
            uids = found[0].split()[:MAX_PER_POLL] if typ == "OK" and found and found[0] else []
            for uid in uids:
                typ, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts or [] if isinstance(p, tuple) and len(p) > 1), None)
                if typ != "OK" or raw is None:
                    continue
                if store(mailbox, raw):
                    stored += 1
                client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        finally:
            try:
                client.logout()
            except (imaplib.IMAP4.error, OSError):
                pass
    except (imaplib.IMAP4.error, OSError, ssl.SSLError) as exc:
        # The reason, never the password (imaplib's messages do not contain it).
        error = f"{type(exc).__name__}: {str(exc)[:300]}"
        Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error=error)
        log.warning("mailbox %s: %s", mailbox.pk, error)
        return stored
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error="")
    if stored:
        inbound_stored.send(sender=InboundEmail, kind="email", keys=[mailbox.pk])
    return stored


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def store(mailbox: Mailbox, raw: bytes) -> InboundEmail | None:
    """Keep one fetched e-mail (once per Message-ID); None when we already have it."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    message_id = (message.get("Message-ID") or "").strip()
    key = hashlib.sha256((message_id or "").encode() if message_id else raw).hexdigest()
    sender = parseaddr(str(message.get("From") or ""))[1].strip().lower()
    row = InboundEmail(
        mailbox=mailbox,
        message_key=key,
        message_id=message_id[:998],
        sender=sender,
        sender_digest=address_digest("email", sender) if sender else "",
        subject=_header(message, "Subject")[:500],
    )
    try:
        with transaction.atomic():
            row.raw.save(f"{key[:16]}.eml", ContentFile(raw), save=False)
            row.save()
    except IntegrityError:
        row.raw.delete(save=False)
        return None
    return row


def _header(message, name) -> str:
    try:
        return " ".join(str(message.get(name) or "").split())
    except (ValueError, TypeError):  # an undecodable header
        return ""


# ---------------------------------------------------------------- reading one e-mail


def parse(row: InboundEmail):
    with row.raw.open("rb") as handle:
        return email.message_from_bytes(handle.read(), policy=email.policy.default)


def noise_reason(message, mailbox: Mailbox) -> str:
    """Why this e-mail must never become a request ("" when it may)."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return "auto-submitted"
    if _header(message, "Precedence").lower() in BULK_PRECEDENCE:
        return "precedence"
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return "autoreply"
    if message.get_content_type() == "multipart/report" or message.get("X-Failed-Recipients"):
        return "bounce"
    sender = parseaddr(_header(message, "From"))[1].lower()
    local = sender.partition("@")[0]
    if local in {"mailer-daemon", "postmaster"}:
        return "bounce"
    if sender and sender == mailbox.address.lower():
        return "own"
    if _header(message, "Message-ID").startswith("<outbox."):
        return "own"
    return ""


def body_text(message) -> str:
    """The text the citizen wrote: the plain part (else the HTML's text), without the quoted reply."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, ValueError):
        text = part.get_payload(decode=True).decode("utf-8", "replace")
    if part.get_content_type() == "text/html":
        from bs4 import BeautifulSoup

        text = BeautifulSoup(text, "html.parser").get_text("\n")
    return strip_quoted(text)


QUOTE_HEADER = re.compile(
    r"^(On .+ wrote:|Pada .+ menulis:|-----Original Message-----|-----Pesan Asli-----)\s*$", re.IGNORECASE
)


def strip_quoted(text: str) -> str:
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if QUOTE_HEADER.match(line.strip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def attachments(message) -> tuple[list[intake.CheckedUpload], list[str]]:
    """Attachments and inline photos, checked like web uploads: (accepted, reasons for the refused)."""
    accepted, refused = [], []
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() == "text" and not part.get_filename():
            continue
        disposition = part.get_content_disposition()
        inline_image = disposition == "inline" and part.get_content_maintype() == "image"
        if disposition != "attachment" and not inline_image and not part.get_filename():
            continue
        data = part.get_payload(decode=True) or b""
        if inline_image and len(data) < MIN_INLINE_IMAGE:
            continue
        name = part.get_filename() or _("lampiran")
        if len(accepted) >= intake.MAX_FILES:
            refused.append(
                _("“%(name)s”: paling banyak %(max)d berkas.") % {"name": name, "max": intake.MAX_FILES}
            )
            continue
        try:
            accepted.append(intake.check_upload(SimpleUploadedFile(name, data)))
        except ValidationError as exc:
            refused.append(" ".join(exc.messages))
    return accepted, refused


# ---------------------------------------------------------------- processing


def process_pending(mailbox_id: int, limit: int = 200) -> int:
    ids = list(
        InboundEmail.objects.filter(mailbox_id=mailbox_id, state=InboundEmail.State.NEW)
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(process(pk) for pk in ids)


def process(pk: int) -> int:
    row = InboundEmail.objects.select_related("mailbox", "mailbox__agency", "mailbox__default_service").get(
        pk=pk
    )
    if row.state != InboundEmail.State.NEW:
        return 0
    message = parse(row)
    mailbox = row.mailbox
    reason = noise_reason(message, mailbox)
    if reason:
        _finish(row, InboundEmail.State.IGNORED, reason)
        return 1
    since = timezone.now() - timedelta(hours=1)
    recent = InboundEmail.objects.filter(
        mailbox=mailbox, sender_digest=row.sender_digest, received_at__gte=since, pk__lt=row.pk
    ).count()
    if row.sender_digest and recent >= FLOOD_LIMIT:
        _finish(row, InboundEmail.State.LIMITED, "flood")
        return 1
    request, why = thread_of(message, mailbox, row.sender)
    if request is not None:
        if request.state in OPEN_STATES:
            reply(row, message, request)
            return 1
        why = _("balasan untuk permohonan %(code)s yang sudah selesai") % {"code": request.tracking_code}
    if why:
        _finish(row, InboundEmail.State.TRIAGE, why[:200], keep_raw=True)
        return 1
    service = service_named(message, mailbox) or mailbox.default_service
    if service is None or service.published_standard_id is None:
        _finish(row, InboundEmail.State.TRIAGE, _("layanan belum ditentukan"), keep_raw=True)
        return 1
    create_request(row, message, service)
    return 1


def _finish(row, state, reason="", *, request=None, keep_raw=False, user=None) -> None:
    InboundEmail.objects.filter(pk=row.pk).update(
        state=state, reason=reason, processed_at=timezone.now(), request=request, classified_by=user
    )
    if not keep_raw and row.raw:
        name = row.raw.name
        InboundEmail.objects.filter(pk=row.pk).update(raw="")
        transaction.on_commit(lambda: intake.remove_files([name]))


def _message_ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


def thread_of(message, mailbox, sender: str) -> tuple[Request | None, str]:
    """(the request this e-mail answers, "") — or (None, why it needs a person) — or (None, "")."""
    agency_id = mailbox.agency_id
    ids = _message_ids(_header(message, "In-Reply-To")) + _message_ids(_header(message, "References"))
    if ids:
        ours = (
            OutboxMessage.objects.filter(
                provider_id__in=ids[:50], channel=OutboxMessage.Channel.EMAIL, request__agency_id=agency_id
            )
            .select_related("request")
            .order_by("-id")
            .first()
        )
        if ours is not None:
            return ours.request, ""
        theirs = (
            InboundEmail.objects.filter(mailbox=mailbox, message_id__in=ids[:50], request__isnull=False)
            .select_related("request")
            .order_by("-id")
            .first()
        )
        if theirs is not None:
            return theirs.request, ""
    for code in TRACKING_CODE.findall(_header(message, "Subject").upper()):
        request = Request.objects.filter(tracking_code=code, agency_id=agency_id).first()
        if request is None:
            continue
        if request.applicant_email and request.applicant_email.lower() == sender:
            return request, ""
        return None, _("menyebut permohonan %(code)s tetapi dari alamat lain") % {"code": code}
    return None, ""


def service_named(message, mailbox) -> Service | None:
    """A published service of the agency whose code or name the subject contains."""
    subject = _header(message, "Subject").lower()
    if not subject:
        return None
    for service in Service.objects.filter(agency_id=mailbox.agency_id, published_standard__isnull=False):
        if service.code.lower() in subject or service.name.lower() in subject:
            return service
    return None


def _applicant(message, sender: str) -> dict:
    name = " ".join(getaddresses([_header(message, "From")])[0][0].split()) if sender else ""
    return intake.applicant_fields(
        {"applicant_type": ApplicantType.PERSON, "name": name[:200] or sender, "email": sender}
    )


def create_request(row: InboundEmail, message, service, *, user=None) -> Request:
    uploads, refused = attachments(message)
    description = body_text(message)
    if refused:
        description += (
            "\n\n" + _("Lampiran yang tidak dapat diterima:") + "\n" + "\n".join(f"- {r}" for r in refused)
        )
    subject = _header(message, "Subject") or _("(tanpa perihal)")
    with transaction.atomic():
        request, _created = intake.register(
            intake.Submission(
                standard=service.published_standard,
                channel="email",
                subject=subject[:300],
                description=description[:10000],
                applicant=_applicant(message, row.sender),
                uploads=uploads,
                idempotency_key=f"email:{row.message_key}"[:100],
            )
        )
        _finish(row, InboundEmail.State.REQUEST, "", request=request, user=user)
    return request


def reply(row: InboundEmail, message, request: Request) -> None:
    uploads, refused = attachments(message)
    text = body_text(message)
    if refused:
        text += (
            "\n\n" + _("Lampiran yang tidak dapat diterima:") + "\n" + "\n".join(f"- {r}" for r in refused)
        )
    actor = access.ApplicantActor(request.pk, via="email")
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = Request.objects.get(pk=request.pk)
            if uploads:
                waiting = locked.state == State.WAITING_APPLICANT
                for upload in uploads:
                    upload.purpose = (
                        Attachment.Purpose.REQUIREMENT if waiting else Attachment.Purpose.EVIDENCE
                    )
                stored = intake.attach_files(locked, uploads, None)
                names = ", ".join(u.display_name for u in uploads)
                if waiting:
                    note = _("Pemohon mengirim kelengkapan melalui e-mail: %(files)s.") % {"files": names}
                    locked = lifecycle.perform(
                        locked, actor, "supply", note=(note + " " + text[:500]).strip()
                    )
                    text = ""
                else:
                    text = (_("Berkas melalui e-mail: %(files)s.") % {"files": names} + "\n" + text).strip()
            if text.strip():
                lifecycle.perform(locked, actor, "message", note=text.strip()[:5000], via="email")
            _finish(row, InboundEmail.State.REPLY, "", request=request)
    except lifecycle.LifecycleError:
        intake.remove_files(stored)
        _finish(
            row,
            InboundEmail.State.TRIAGE,
            _("balasan tidak dapat dicatat pada %(code)s") % {"code": request.tracking_code},
            keep_raw=True,
        )
    except BaseException:
        intake.remove_files(stored)
        raise


def classify(row: InboundEmail, service, user) -> Request:
    """The front desk picked the service of an e-mail in the triage queue: it becomes a request."""
    if row.state != InboundEmail.State.TRIAGE or not row.raw:
        raise ValidationError(_("E-mail ini sudah diproses."), code="done")
    if service.agency_id != row.mailbox.agency_id or service.published_standard_id is None:
        raise ValidationError(_("Pilih layanan yang sudah dipublikasikan."), code="service")
    return create_request(row, parse(row), service, user=user)


def dismiss(row: InboundEmail, user) -> None:
    """The front desk decides an e-mail in the triage queue is not a request (spam, a thank-you)."""
    if row.state != InboundEmail.State.TRIAGE:
        raise ValidationError(_("E-mail ini sudah diproses."), code="done")
    with transaction.atomic():
        _finish(row, InboundEmail.State.IGNORED, _("diabaikan oleh petugas"), user=user)


# ---------------------------------------------------------------- threading our answers


def thread_headers(message: OutboxMessage) -> dict:
    """In-Reply-To / References for an e-mail about a request that came by e-mail, so the citizen's
    mail program shows our receipt and answer in the thread of their own e-mail."""
    ids = list(
        InboundEmail.objects.filter(request_id=message.request_id)
        .exclude(message_id="")
        .order_by("id")
        .values_list("message_id", flat=True)[:20]
    )
    if not ids:
        return {}
    references = [ids[0], *ids[1:][-5:]]
    return {"In-Reply-To": ids[-1], "References": " ".join(dict.fromkeys(references))}
