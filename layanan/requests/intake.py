"""Intake: what the web form and the counter share before lifecycle.submit().

- uploads are checked by their content (the `filetype` library), never by the
  name or the type the browser claims; the citizen's file name is kept only as
  display text and the file is stored under a random name in MEDIA_ROOT,
  which is never served directly;
- the applicant's identity becomes the field dict lifecycle.submit() takes
  (an anonymous complaint keeps no identity at all);
- a one-time form token, signed, becomes the idempotency key, so a double
  click or a browser retry gets the first request back;
- register() writes the request, its attachments, its guest-book line and,
  when mandatory requirements are missing, the return to the applicant, in
  one transaction; files written for a submission that fails are removed.
"""

import logging
import os
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import filetype
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layanan.core.nik import InvalidNIK, parse_nik
from layanan.standards.contacts import normalise_phone
from layanan.standards.models import Requirement, Service, ServiceKind, ServiceStandard

from . import access, lifecycle, published
from .models import ApplicantType, Attachment, GuestBookEntry, Request, attachment_path

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024  # a PDF or DOCX is kept as sent
# A phone photo of a KTP is often 6–9 MB: photos up to 10 MB are accepted, then scaled down on the
# server (longest side IMAGE_MAX_SIDE px, EXIF — GPS position included — dropped).
MAX_IMAGE_BYTES = 10 * 1024 * 1024
IMAGE_MAX_SIDE = 2000
IMAGE_TYPES = {"image/jpeg", "image/png"}
MAX_FILES = 10
# A POST larger than this cannot be ten allowed files plus the form: refused before the form is
# validated. (CSRF checking has read it by then; the proxy should cap bodies too, e.g. nginx
# client_max_body_size 102m.)
MAX_POST_BYTES = MAX_FILES * MAX_IMAGE_BYTES + 1024 * 1024
SNIFF_BYTES = 8192  # what `filetype` looks at
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", DOCX: "DOCX"}
# The extension a file is stored and served with: always the detected type's, never the name's
# (JPEG bytes followed by HTML, named poly.html, is stored, shown and served as poly.jpg).
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", DOCX: "docx"}
ALLOWED_TYPES_TEXT = gettext_lazy("PDF atau DOCX paling besar 5 MB, foto JPEG atau PNG paling besar 10 MB")
FORM_TOKEN_MAX_AGE = 2 * 24 * 3600  # a form left open over a weekend is still accepted


# ---------------------------------------------------------------- uploads


@dataclass
class CheckedUpload:
    """An upload whose content was checked; `display_name` is only ever shown, never used as a path."""

    file: UploadedFile
    display_name: str
    content_type: str
    size: int
    purpose: str = Attachment.Purpose.EVIDENCE
    requirement: Requirement | None = None


def display_name(name: str) -> str:
    """The citizen's file name as harmless display text (no path, no control characters)."""
    base = os.path.basename((name or "").replace("\\", "/"))
    clean = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return (clean or _("berkas"))[:255]


def typed_name(name: str, content_type: str) -> str:
    """The display name with the extension of the detected type: "poly.html" as JPEG → "poly.jpg"."""
    extension = EXTENSIONS.get(content_type, "bin")
    base, old = os.path.splitext(name)
    if len(old) > 16 or " " in old:  # "Surat a.n. Budi Santoso": not an extension
        base = name
    return f"{base[:250 - len(extension)]}.{extension}"


def download_name(filename: str, content_type: str) -> str:
    """The name a stored attachment is downloaded as (also for files stored before typed names)."""
    return typed_name(filename, content_type) if content_type in EXTENSIONS else filename


def check_upload(uploaded: UploadedFile) -> CheckedUpload:
    """Accept a PDF or DOCX of at most 5 MB, or a JPEG/PNG photo of at most 10 MB (scaled down),
    judged by the bytes, or raise ValidationError."""
    name = display_name(uploaded.name)
    if uploaded.size > MAX_IMAGE_BYTES:
        raise _too_large(name, uploaded.size, MAX_IMAGE_BYTES)
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    kind = filetype.guess(head) if head else None
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(
            _("Berkas “%(name)s” bukan PDF, JPEG, PNG atau DOCX. Isi berkas yang diperiksa, "
              "bukan namanya: simpan atau pindai ulang dokumen sebagai PDF atau foto.") % {"name": name},
            code="bad_type")
    if kind.mime in IMAGE_TYPES:
        uploaded = _scaled_photo(uploaded, kind.mime, name)
    elif uploaded.size > MAX_FILE_BYTES:
        raise _too_large(name, uploaded.size, MAX_FILE_BYTES)
    return CheckedUpload(file=uploaded, display_name=typed_name(name, kind.mime), content_type=kind.mime,
                         size=uploaded.size)


def _too_large(name: str, size: int, limit: int) -> ValidationError:
    return ValidationError(
        _("Berkas “%(name)s” terlalu besar (%(size)s MB). Paling besar 5 MB untuk PDF/DOCX dan "
          "10 MB untuk foto.")
        % {"name": name, "size": number_format(size / 1024 / 1024, 1)},  # "10,1" in id
        code="too_large")


def _scaled_photo(uploaded: UploadedFile, mime: str, name: str) -> UploadedFile:
    """The photo at most IMAGE_MAX_SIDE px on its longest side, turned upright, without EXIF."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageOps

    uploaded.seek(0)
    try:
        with Image.open(uploaded) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
            out = BytesIO()
            if mime == "image/jpeg":
                image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            else:
                image.save(out, "PNG", optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("Foto “%(name)s” rusak atau tidak dapat dibaca. Ambil ulang fotonya.")
                              % {"name": name}, code="bad_image") from None
    data = out.getvalue()
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(name, len(data), MAX_FILE_BYTES)
    return SimpleUploadedFile(uploaded.name, data, content_type=mime)


def check_file_count(count: int) -> None:
    if count > MAX_FILES:
        raise ValidationError(
            _("Paling banyak %(max)d berkas per permohonan; Anda melampirkan %(count)d.")
            % {"max": MAX_FILES, "count": count}, code="too_many")


# ---------------------------------------------------------------- identity


def clean_nik(value: str) -> str:
    """'' stays ''; a NIK is returned as its 16 digits or a ValidationError says what is wrong."""
    if not value or not value.strip():
        return ""
    try:
        return parse_nik(value).value
    except InvalidNIK as exc:
        raise ValidationError(str(exc), code="nik") from None


def clean_identity_number(value: str, id_type: str = "") -> str:
    """A NIK (id_type "") by its structure; a SIM, passport or KITAS number as 4–30 letters/digits."""
    if not id_type:
        return clean_nik(value)
    compact = "".join((value or "").split())
    if not 4 <= len(compact) <= 30 or not all(ch.isalnum() or ch in "-/." for ch in compact):
        raise ValidationError(_("Nomor identitas tidak dapat dibaca: 4–30 huruf atau angka."),
                              code="id_number")
    return compact.upper()


def clean_phone(value: str) -> str:
    """'' stays ''; '0812-3866-945' → '+628123866945' or a ValidationError in Indonesian."""
    if not value or not value.strip():
        return ""
    try:
        return normalise_phone(value.strip())
    except ValueError:
        raise ValidationError(
            _("Nomor telepon tidak dapat dibaca. Tulis seperti 0812 3456 7890 atau +62 812 3456 7890."),
            code="phone") from None


def applicant_fields(data: dict, *, consent_at=None) -> dict:
    """The Request applicant fields from cleaned form data.

    `data["applicant_type"]` decides what is kept: an anonymous complaint keeps
    nothing that identifies the reporter; a person keeps no organisation
    fields and an organisation no NIK.
    """
    kind = data.get("applicant_type") or ApplicantType.PERSON
    fields = {"applicant_type": kind, "consent_at": consent_at,
              "confidential": bool(data.get("confidential")) and kind != ApplicantType.ANONYMOUS}
    if kind == ApplicantType.ANONYMOUS:
        return fields
    fields.update(applicant_name=data.get("name", ""), applicant_phone=data.get("phone", ""),
                  applicant_email=data.get("email", ""), applicant_address=data.get("address", ""),
                  # news on WhatsApp at that number (layanan/channels), only with a number and consent
                  whatsapp_consent=bool(data.get("whatsapp_consent") and data.get("phone")))
    if kind == ApplicantType.PERSON:
        fields["applicant_nik"] = data.get("nik", "")
    else:
        fields.update(organisation_name=data.get("organisation_name", ""),
                      letter_number=data.get("letter_number", ""), letter_date=data.get("letter_date"),
                      letter_signatory=data.get("letter_signatory", ""))
    return fields


@dataclass(frozen=True)
class IdentityRules:
    """What a channel insists on about the applicant (the web and the API: everything; the counter
    is more lenient)."""

    nik: bool = True
    address: bool = True
    contact: bool = True
    letter: bool = True


def identity_problems(data: dict, kind: str, rules: IdentityRules | None = None) -> list:
    """What the applicant's identity lacks, as [(field, ValidationError)] — the one rule set of the
    web form, the counter and the API. `data` holds cleaned values; an anonymous complaint lacks nothing."""
    rules = rules or IdentityRules()
    problems = []

    def require(name, message):  # lazy: translated only when it is shown (most forms lack nothing)
        if not data.get(name):
            problems.append((name, ValidationError(message, code="required")))

    if kind == ApplicantType.ANONYMOUS:
        return problems
    if kind == ApplicantType.PERSON:
        require("name", gettext_lazy("Isi nama lengkap."))
        if rules.nik:
            require("nik", gettext_lazy("Isi NIK sesuai KTP (16 angka)."))
        if rules.address:
            require("address", gettext_lazy("Isi alamat."))
    else:
        require("organisation_name", gettext_lazy("Isi nama instansi / organisasi."))
        if rules.letter:
            require("letter_number", gettext_lazy("Isi nomor surat."))
            require("letter_date", gettext_lazy("Isi tanggal surat."))
            require("letter_signatory", gettext_lazy("Isi nama penanda tangan surat."))
    if rules.contact and not (data.get("phone") or data.get("email")):
        problems.append(("phone", ValidationError(
            _("Isi nomor telepon atau e-mail agar petugas dapat menghubungi Anda."), code="contact")))
    return problems


# ---------------------------------------------------------------- location


def location_required(service) -> bool:
    """Whether the agency asks this complaint service for the place (set on /kelola/api/).

    Read through the service's options relation: no query when the service came with them
    (requests/published.py selects them)."""
    if not is_complaint(service):
        return False
    try:
        return service.api_options.location_required
    except ObjectDoesNotExist:
        return False


def location_problems(data: dict, *, required: bool) -> list:
    """A point needs both coordinates; a required location needs the address text or a point."""
    problems = []
    lat, lon = data.get("location_lat"), data.get("location_lon")
    if (lat is None) != (lon is None):
        problems.append(("location_lat" if lat is None else "location_lon", ValidationError(
            _("Isi lintang dan bujur bersama-sama, atau kosongkan keduanya."), code="point")))
    if required and not (data.get("location_text") or (lat is not None and lon is not None)):
        problems.append(("location_text", ValidationError(
            _("Tuliskan lokasi kejadian (alamat atau patokan)."), code="required")))
    return problems


def location_fields(data: dict) -> dict:
    """The Request location fields from cleaned data (what lifecycle.submit stores)."""
    lat, lon = data.get("location_lat"), data.get("location_lon")
    point = lat is not None and lon is not None
    return {"location_text": (data.get("location_text") or "").strip()[:500],
            "location_lat": lat if point else None, "location_lon": lon if point else None}


# ---------------------------------------------------------------- requirements


def document_requirements(requirements, kind: str = ""):
    """The requirements the web form asks to upload: documents the applicant provides, of this kind
    of request (never what the office provides, such as ATK or a computer)."""
    from layanan.standards.requirement_rules import uploads_asked

    return uploads_asked(requirements, kind)


def web_checks(requirements, uploads: list[CheckedUpload], applicant: dict) -> dict:
    """What a web submission shows of each requirement: documents by upload, identity by NIK or letter.

    Forms and other requirements are left for the officer who verifies.
    """
    from layanan.standards.requirement_rules import looks_like_evidence

    uploaded = {u.requirement.pk for u in uploads if u.requirement is not None}
    # Evidence a complainant attached counts for the standard's "Bukti dukung" requirement.
    evidence = any(u.purpose == Attachment.Purpose.EVIDENCE for u in uploads)
    identified = bool(applicant.get("applicant_nik") or applicant.get("letter_number"))
    checks = {}
    for requirement in requirements:
        if requirement.kind == Requirement.Kind.DOCUMENT:
            checks[requirement.pk] = requirement.pk in uploaded or (
                evidence and looks_like_evidence(requirement.label))
        elif requirement.kind == Requirement.Kind.IDENTITY:
            checks[requirement.pk] = identified
    return checks


def missing_mandatory(requirements, checks: dict) -> list[str]:
    """Labels of mandatory requirements checked and found missing (the applicant is told these)."""
    return [r.label for r in requirements if r.mandatory and r.pk in checks and not checks[r.pk]]


def is_complaint(service) -> bool:
    return service.kind == ServiceKind.COMPLAINT


def kip_details(pairs) -> str:
    """UU 14/2008 request fields as lines of the description (the Request has no columns for them).

    `pairs` is [(label, value), …]; empty values are left out.
    """
    return "\n".join(f"{label}: {value}" for label, value in pairs if value)


# ---------------------------------------------------------------- one-time form token


def new_form_token(scope: str) -> str:
    """A signed random token for one form display; its submission becomes one request."""
    return signing.dumps(uuid.uuid4().hex, salt=f"layanan.intake.{scope}", compress=False)


def read_form_token(token: str, scope: str) -> str:
    try:
        value = signing.loads(token or "", salt=f"layanan.intake.{scope}", max_age=FORM_TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise ValidationError(
            _("Formulir ini sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi."),
            code="token") from None
    return f"{scope}:{value}"


# ---------------------------------------------------------------- registering


@dataclass
class Submission:
    standard: object
    channel: str
    subject: str
    applicant: dict
    description: str = ""
    idempotency_key: str | None = None
    checks: dict = field(default_factory=dict)
    uploads: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    guest: GuestBookEntry | None = None
    kind: str = ""  # the kind the applicant chose (a standard may take several); "" = the service's


def register(submission: Submission, actor=None) -> tuple[Request, bool]:
    """Create the request with everything that belongs to it, or nothing at all.

    Returns (request, created); a retry of the same submission returns the
    first request and writes nothing. The uploads and the guest-book entry are written in
    the request's own transaction (lifecycle.submit's `then`), so a web submission is one
    transaction with no savepoint.
    """
    stored: list[str] = []

    def attach(request):
        for upload in submission.uploads:
            stored.append(_store(request, upload, actor))
        if submission.guest is not None:
            submission.guest.request = request
            submission.guest.save()

    try:
        request, created = lifecycle.submit(
            standard=submission.standard, channel=submission.channel, subject=submission.subject,
            applicant=submission.applicant, description=submission.description, actor=actor,
            idempotency_key=submission.idempotency_key, checks=submission.checks,
            missing=submission.missing, kind=submission.kind or None, then=attach,
        )
    except BaseException:
        _remove(stored)
        raise
    if not created:
        _remove(stored)  # files of an attempt that lost a race to the same key were rolled back
    return request, created


def attach_files(request, uploads: list[CheckedUpload], actor) -> list[str]:
    """Store checked uploads on a request; call inside the caller's transaction.

    Returns the stored names; on failure the files written so far are removed again.
    """
    stored: list[str] = []
    try:
        for upload in uploads:
            stored.append(_store(request, upload, actor))
    except BaseException:
        _remove(stored)
        raise
    return stored


def _store(request, upload: CheckedUpload, actor) -> str:
    attachment = Attachment(request=request, purpose=upload.purpose, requirement=upload.requirement,
                            filename=upload.display_name, content_type=upload.content_type,
                            size=upload.size, uploaded_by=actor)
    upload.file.seek(0)
    # The random storage name of attachment_path, with the detected type's extension.
    target = f"{attachment_path(attachment, '')}.{EXTENSIONS.get(upload.content_type, 'bin')}"
    name = attachment.file.storage.save(target, upload.file, max_length=300)
    attachment.file.name = name
    try:
        attachment.save()
    except BaseException:
        _remove([name])
        raise
    return name


def remove_files(names):
    """Delete stored files of a submission or action that did not go through."""
    _remove(names)


def _remove(names):
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - logged, never hides the original error
            logger.exception("Could not remove %s after a failed submission", name)


# ---------------------------------------------------------------- guest book


def guest_entry(agency, data: dict, actor, *, now=None) -> GuestBookEntry:
    """An unsaved buku-tamu line from the counter form."""
    return GuestBookEntry(
        agency=agency, name=data.get("name") or data.get("organisation_name") or _("(tanpa nama)"),
        identity_number=data.get("nik", ""),
        organisation=data.get("organisation_name") or data.get("address", ""),
        purpose=data.get("subject", ""), time_in=data.get("time_in") or now or timezone.now(),
        recorded_by=actor,
    )


def record_guest(entry: GuestBookEntry, idempotency_key: str | None) -> bool:
    """Save a visitor-only buku-tamu line once per form display; False for a repeated click."""
    if idempotency_key and not cache.add(f"guestbook:{entry.agency_id}:{idempotency_key}", 1,
                                         FORM_TOKEN_MAX_AGE):
        return False
    entry.save()
    return True


def sign_out_guest(entry: GuestBookEntry, *, now=None) -> None:
    if entry.time_out is None:
        entry.time_out = now or timezone.now()
        entry.save(update_fields=["time_out"])


def todays_guests(agency, *, before: str = "", limit: int = 20):
    """Today's buku tamu (agency time), newest first, keyset-paged: (entries, cursor for older ones)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    entries = (GuestBookEntry.objects.filter(agency=agency, time_in__gte=start)
               .select_related("request").order_by("-time_in", "-id"))
    cursor = _read_cursor(before)
    if cursor:
        at, pk = cursor
        entries = entries.filter(Q(time_in__lt=at) | Q(time_in=at, id__lt=pk))
    page = list(entries[:limit + 1])
    more = len(page) > limit
    page = page[:limit]
    next_cursor = f"{page[-1].time_in.timestamp():.6f}_{page[-1].pk}" if more else ""
    return page, next_cursor


def _read_cursor(value: str):
    try:
        stamp, pk = value.split("_", 1)
        return datetime.fromtimestamp(float(stamp), tz=UTC), int(pk)
    except (ValueError, OverflowError, OSError):
        return None


def published_service_groups(agency, selected_pk=None):
    """The agency's published services for a grouped <select>: [(kind label, [(pk, name, selected)])]."""
    services = (Service.objects.filter(agency=agency, published_standard__isnull=False)
                .only("pk", "name", "kind", "position").order_by("position", "name"))
    groups: dict[str, list] = {}
    labels = dict(ServiceKind.choices)
    for service in services:
        groups.setdefault(str(labels.get(service.kind, service.kind)), []).append(
            (service.pk, service.name, service.pk == selected_pk))
    return list(groups.items())


def published_standard_or_404(agency_code: str, service_code: str) -> ServiceStandard:
    """The published standard behind /<AGENCY>/<service>/ajukan/ with its agency, options,
    requirements and steps: kept per process (requests/published.py), no query once kept."""
    standard = published.published_standard(agency_code, service_code)
    if standard is None:
        raise Http404
    return standard


def counter_standard(agency, service_pk):
    """The published standard of one of the agency's services, with its requirements; None if not found."""
    try:
        service_pk = int(service_pk)
    except (TypeError, ValueError):
        only = Service.objects.filter(agency=agency, published_standard__isnull=False)[:2]
        if len(only) != 1:
            return None
        service_pk = only[0].pk
    published = Service.objects.filter(agency=agency, pk=service_pk).values("published_standard")
    return (ServiceStandard.objects.select_related("service")
            .prefetch_related(Prefetch("requirements", queryset=Requirement.objects.order_by("position")))
            .filter(pk__in=published).first())


# ---------------------------------------------------------------- the applicant completes

def supply_missing(request: Request, files, note: str = "") -> Request:
    """The applicant sends what was missing through the tracking link (the view checked the
    link's secret). The lifecycle checks, inside the row lock, that the request still waits
    on the applicant: a withdrawn or finished request refuses and nothing is stored.

    The files are stored as requirement documents and the clock runs again at
    once (the wait on the applicant is over); the officer checks them and can
    send the request back again if something is still missing.
    """
    chosen = list(files)
    if not chosen:
        raise ValidationError(_("Pilih berkas kelengkapan yang akan dikirim."), code="empty")
    check_file_count(len(chosen))
    uploads = [check_upload(f) for f in chosen]
    for upload in uploads:
        upload.purpose = Attachment.Purpose.REQUIREMENT
    stored: list[str] = []
    try:
        with transaction.atomic():
            stored = attach_files(request, uploads, None)
            names = ", ".join(u.display_name for u in uploads)
            message = _("Pemohon mengirim kelengkapan melalui tautan lacak: %(files)s.") % {"files": names}
            if note.strip():
                message += " " + note.strip()[:500]
            request = lifecycle.perform(request, access.ApplicantActor(request.pk), "supply", note=message)
    except BaseException:
        _remove(stored)
        raise
    return request
