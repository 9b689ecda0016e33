"""SP4N-LAPOR! reports at the agency: register (desk, file import, LaporClient pull), the LAPOR!
clock, the follow-up written once and copied out, LAPOR!'s status.

A report becomes a Request through requests.intake / lifecycle (channel "lapor"); its
idempotency key is the Tracking ID, so registering the same report twice — a second import of
the same file, a pull after an import — finds the first request and only updates what LAPOR!
owns (status, topic, type, dates) on the LaporReport. Every change to the request itself goes
through lifecycle.perform (an internal note when LAPOR!'s status changes).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from layanan.requests import access, clock, intake, lifecycle
from layanan.requests.models import ApplicantType, Channel
from layanan.sla import compute_deadline
from layanan.standards.duration import DurationSpec
from layanan.standards.models import Service, ServiceKind

from .models import FOLLOWUP_WORKING_DAYS, LaporReport, LaporSettings, LaporStatus, LaporType, Source

TRACKING_ID = re.compile(r"^[A-Za-z0-9-]{3,40}$")
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 5 * 1024 * 1024
YES = {"ya", "y", "yes", "true", "1", "v", "x"}
TYPES = {
    "pengaduan": LaporType.PENGADUAN,
    "aspirasi": LaporType.ASPIRASI,
    "permintaan informasi": LaporType.INFORMASI,
    "permintaan_informasi": LaporType.INFORMASI,
    "informasi": LaporType.INFORMASI,
}
STATUSES = {s.value: s.value for s in LaporStatus} | {
    "diteruskan ke instansi": LaporStatus.DITERUSKAN,
    "proses": LaporStatus.DITINDAKLANJUTI,
}


class LaporError(ValidationError):
    """Bad report data, or an action on a report that is not possible now (answered with 400)."""


@dataclass
class ReportData:
    """One LAPOR! report as the desk form, a file row or the LAPOR! API gives it."""

    tracking_id: str
    content: str
    topic: str = ""
    report_type: str = LaporType.PENGADUAN
    anonymous: bool = False
    confidential: bool = False
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    location_text: str = ""
    reported_at: datetime | None = None
    forwarded_at: datetime | None = None
    status: str = LaporStatus.DITERUSKAN
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------- the LAPOR! clock


def followup_due(agency, forwarded_at):
    """5 working days after the report reached the agency, on the agency's own calendar."""
    spec = DurationSpec(
        min=None,
        max=FOLLOWUP_WORKING_DAYS,
        unit="working_day",
        clock_starts_at="submitted",
        text=f"{FOLLOWUP_WORKING_DAYS} hari kerja",
    )
    return compute_deadline(spec, forwarded_at, clock.calendar_for(agency), []).due


def clock_state(report: LaporReport, now=None) -> str:
    """'done' (follow-up written), 'late' or 'running'."""
    now = now or timezone.now()
    if report.followup_written_at:
        return "done"
    if report.followup_due_at and now >= report.followup_due_at:
        return "late"
    return "running"


# ---------------------------------------------------------------- registering


def complaint_service(agency, service=None) -> Service:
    """The service a LAPOR! report becomes a request of: the one chosen, the agency's setting, or
    its only published complaint service."""
    published = Service.objects.filter(agency=agency, published_standard__isnull=False)
    if service is not None:
        found = published.filter(pk=service.pk).first()
    else:
        configured = LaporSettings.objects.filter(agency=agency).values_list("service_id", flat=True).first()
        found = published.filter(pk=configured).first() if configured else None
        found = found or published.filter(kind=ServiceKind.COMPLAINT).order_by("position", "pk").first()
    if found is None:
        raise LaporError(_("Instansi belum punya layanan pengaduan yang terbit untuk laporan LAPOR!."))
    return found


def _clean(data: ReportData) -> ReportData:
    data.tracking_id = (data.tracking_id or "").strip()
    if not TRACKING_ID.match(data.tracking_id):
        raise LaporError(_("Tracking ID LAPOR! tidak sah: 3–40 huruf, angka atau tanda hubung."))
    data.content = (data.content or "").strip()
    if not data.content:
        raise LaporError(_("Isi laporan kosong."))
    if data.report_type not in LaporType.values:
        raise LaporError(_("Jenis laporan harus pengaduan, aspirasi atau permintaan informasi."))
    if data.status not in LaporStatus.values:
        raise LaporError(_("Status LAPOR! harus diteruskan, ditindaklanjuti atau selesai."))
    if data.reporter_phone:
        data.reporter_phone = intake.clean_phone(data.reporter_phone)
    return data


def _applicant(data: ReportData) -> dict:
    """anonim: nothing of the reporter is kept; rahasia: kept, seen only by the complaint officer."""
    if data.anonymous:
        return {"applicant_type": ApplicantType.ANONYMOUS, "confidential": False, "consent_at": None}
    return {
        "applicant_type": ApplicantType.PERSON,
        "confidential": bool(data.confidential),
        "consent_at": None,
        "applicant_name": data.reporter_name[:200],
        "applicant_phone": data.reporter_phone,
        "applicant_email": data.reporter_email[:254],
        "applicant_address": "",
        "applicant_nik": "",
    }


def register(
    agency, data: ReportData, *, actor=None, source: str = Source.DESK, service=None, now=None
) -> tuple[LaporReport, bool]:
    """The request of this LAPOR! report: created once per Tracking ID; a second registration
    updates what LAPOR! owns. Returns (report, created)."""
    now = now or timezone.now()
    data = _clean(data)
    existing = (
        LaporReport.objects.select_related("request")
        .filter(agency=agency, tracking_id=data.tracking_id)
        .first()
    )
    if existing is not None:
        return _update(existing, data, actor=actor), False
    service = complaint_service(agency, service)
    standard = service.published_standard
    forwarded = data.forwarded_at or now
    applicant = {**_applicant(data), "location_text": data.location_text[:500]}
    subject = data.topic or data.content.split("\n", 1)[0]
    header = _("Laporan SP4N-LAPOR! %(id)s (%(type)s)") % {
        "id": data.tracking_id,
        "type": LaporType(data.report_type).label,
    }
    with transaction.atomic():
        request, _created = intake.register(
            intake.Submission(
                standard=standard,
                channel=Channel.LAPOR,
                subject=subject[:300],
                applicant=applicant,
                description=f"{header}\n\n{data.content}",
                idempotency_key=f"lapor:{data.tracking_id}",
            ),
            actor=actor,
        )
        report, created = LaporReport.objects.get_or_create(
            agency=agency,
            tracking_id=data.tracking_id,
            defaults={
                "request": request,
                "topic": data.topic[:300],
                "report_type": data.report_type,
                "anonymous": data.anonymous,
                "confidential": data.confidential and not data.anonymous,
                "status": data.status,
                "reported_at": data.reported_at,
                "forwarded_at": forwarded,
                "followup_due_at": followup_due(agency, forwarded),
                "source": source,
            },
        )
    return report, created


def _update(report: LaporReport, data: ReportData, *, actor) -> LaporReport:
    changed_status = report.status != data.status
    previous = report.status
    report.topic = data.topic[:300] or report.topic
    report.report_type = data.report_type
    if data.reported_at:
        report.reported_at = data.reported_at
    if data.forwarded_at and data.forwarded_at != report.forwarded_at:
        report.forwarded_at = data.forwarded_at
        report.followup_due_at = followup_due(report.agency, data.forwarded_at)
    report.status = data.status
    with transaction.atomic():
        report.save()
        if changed_status and actor is not None and access.is_desk_staff(report.request, actor):
            lifecycle.perform(
                report.request,
                actor,
                "note",
                public=False,
                note=_("Status LAPOR! berubah: %(old)s → %(new)s.")
                % {"old": LaporStatus(previous).label, "new": LaporStatus(data.status).label},
            )
    return report


# ---------------------------------------------------------------- the follow-up


def may_handle(report: LaporReport, user) -> bool:
    return access.is_desk_staff(report.request, user)


def write_followup(report: LaporReport, text: str, user, *, now=None) -> LaporReport:
    """Written once: the text LAPOR! gets. Its writing is an internal note on the timeline."""
    now = now or timezone.now()
    text = (text or "").strip()
    if not may_handle(report, user):
        raise LaporError(_("Hanya pegawai meja layanan instansi ini yang menulis tindak lanjut."))
    if not text:
        raise LaporError(_("Tuliskan tindak lanjut."))
    with transaction.atomic():
        locked = LaporReport.objects.select_for_update().get(pk=report.pk)
        if locked.followup_written_at:
            raise LaporError(_("Tindak lanjut untuk LAPOR! sudah ditulis dan tidak diubah lagi."))
        locked.followup_text, locked.followup_written_at, locked.followup_written_by = text[:5000], now, user
        locked.save(
            update_fields=["followup_text", "followup_written_at", "followup_written_by", "updated_at"]
        )
        lifecycle.perform(
            locked.request, user, "note", public=False, note=_("Tindak lanjut untuk SP4N-LAPOR! ditulis.")
        )
    return locked


def followup_for_lapor(report: LaporReport) -> str:
    """The follow-up as LAPOR! expects it pasted: to the reporter, with the Tracking ID, the action,
    the agency and the contact — plain text, no markup."""
    if not report.followup_text:
        return ""
    agency = report.agency
    lines = [
        _("Yth. Pelapor,"),
        "",
        _("Terima kasih atas laporan Anda dengan Tracking ID %(id)s.") % {"id": report.tracking_id},
        _("Tindak lanjut %(agency)s:") % {"agency": agency.name},
        report.followup_text,
        "",
        _("Nomor tiket kami: %(code)s.") % {"code": report.request.tracking_code},
        _("Hormat kami, %(agency)s") % {"agency": agency.name},
    ]
    return "\n".join(lines)


def mark_copied(report: LaporReport, user, *, now=None) -> LaporReport:
    """The follow-up was copied into LAPOR!: marked, and LAPOR!'s status is now ditindaklanjuti."""
    if not may_handle(report, user):
        raise LaporError(_("Hanya pegawai meja layanan instansi ini yang menandai tindak lanjut."))
    if not report.followup_written_at:
        raise LaporError(_("Tulis tindak lanjut terlebih dahulu."))
    now = now or timezone.now()
    if report.followup_copied_at is None:
        report.followup_copied_at, report.followup_copied_by = now, user
        if report.status == LaporStatus.DITERUSKAN:
            report.status = LaporStatus.DITINDAKLANJUTI
        report.save(update_fields=["followup_copied_at", "followup_copied_by", "status", "updated_at"])
    return report


def set_status(report: LaporReport, status: str, user) -> LaporReport:
    if status not in LaporStatus.values:
        raise LaporError(_("Status LAPOR! harus diteruskan, ditindaklanjuti atau selesai."))
    data = ReportData(
        tracking_id=report.tracking_id,
        content="-",
        topic=report.topic,
        report_type=report.report_type,
        status=status,
    )
    return _update(report, data, actor=user)


# ---------------------------------------------------------------- importing a list of reports

HEADERS = {
    "tracking_id": ("tracking id", "tracking_id", "id laporan", "no tracking", "nomor tracking"),
    "topic": ("topik", "judul", "judul laporan", "topic", "kategori"),
    "content": ("isi laporan", "isi", "laporan", "uraian", "content"),
    "report_type": ("jenis", "jenis laporan", "klasifikasi", "type"),
    "anonymous": ("anonim", "anonymous"),
    "confidential": ("rahasia", "confidential"),
    "reporter_name": ("nama pelapor", "pelapor", "nama"),
    "reporter_phone": ("telepon", "no hp", "nomor telepon", "hp"),
    "reporter_email": ("email", "e-mail"),
    "location_text": ("lokasi", "alamat kejadian", "location"),
    "reported_at": ("tanggal laporan", "tanggal lapor", "dilaporkan", "reported_at"),
    "forwarded_at": ("tanggal diteruskan", "diteruskan", "tanggal disposisi", "forwarded_at"),
    "status": ("status", "status laporan"),
}


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (row number, message)


def read_rows(filename: str, content: bytes) -> list[dict]:
    """Rows of a CSV (UTF-8, comma or semicolon) or XLSX file as {header: value}."""
    if len(content) > MAX_IMPORT_BYTES:
        raise LaporError(_("Berkas terlalu besar (paling besar 5 MB)."))
    if content[:2] == b"PK":
        return _xlsx_rows(content)
    if (filename or "").lower().endswith(".xlsx"):
        raise LaporError(_("Berkas XLSX tidak dapat dibaca."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LaporError(_("Berkas CSV harus berkode UTF-8.")) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.DictReader(io.StringIO(text), dialect=dialect))[: MAX_IMPORT_ROWS + 1]


def _xlsx_rows(content: bytes) -> list[dict]:
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if (
                len(archive.infolist()) > 200
                or sum(i.file_size for i in archive.infolist()) > 50 * 1024 * 1024
            ):
                raise LaporError(_("Berkas XLSX terlalu besar setelah dibuka."))
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except LaporError:
        raise
    except Exception:  # noqa: BLE001 — any unreadable workbook is the user's file, not our error
        raise LaporError(_("Berkas XLSX tidak dapat dibaca.")) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    names = [str(h).strip() if h is not None else "" for h in header]
    result = []
    for values in rows:
        if len(result) > MAX_IMPORT_ROWS:
            break
        if values and any(v not in (None, "") for v in values):
            result.append({names[i]: v for i, v in enumerate(values) if i < len(names)})
    book.close()
    return result


def _field_map(row: dict) -> dict:
    found = {}
    for key in row:
        normal = re.sub(r"\s+", " ", str(key or "").strip().lower().replace("_", " "))
        for name, aliases in HEADERS.items():
            if normal in {a.replace("_", " ") for a in aliases}:
                found[name] = key
    return found


def _when(value, agency):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        parsed = None
        for fmt in (
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d",
            "%d/%m/%Y %H:%M",
            "%d/%m/%Y",
            "%d-%m-%Y %H:%M",
            "%d-%m-%Y",
        ):
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if parsed is None:
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                raise LaporError(_("Tanggal tidak dapat dibaca: %(value)s") % {"value": text[:40]}) from None
    if not isinstance(parsed, datetime):
        parsed = datetime.combine(parsed, time(8, 0))
    if timezone.is_naive(parsed):
        from zoneinfo import ZoneInfo

        parsed = parsed.replace(tzinfo=ZoneInfo(agency.timezone))
    return parsed


def row_data(row: dict, agency) -> ReportData:
    fields = _field_map(row)

    def get(name):
        key = fields.get(name)
        value = row.get(key) if key is not None else None
        return "" if value is None else str(value).strip()

    kind = (
        TYPES.get(get("report_type").lower(), LaporType.PENGADUAN)
        if get("report_type")
        else LaporType.PENGADUAN
    )
    status = STATUSES.get(get("status").lower(), None) if get("status") else LaporStatus.DITERUSKAN
    if status is None:
        raise LaporError(_("Status LAPOR! tidak dikenal: %(value)s") % {"value": get("status")[:40]})
    return ReportData(
        tracking_id=get("tracking_id"),
        content=get("content"),
        topic=get("topic"),
        report_type=kind,
        anonymous=get("anonymous").lower() in YES,
        confidential=get("confidential").lower() in YES,
        reporter_name=get("reporter_name"),
        reporter_phone=get("reporter_phone"),
        reporter_email=get("reporter_email"),
        location_text=get("location_text"),
        reported_at=_when(row.get(fields.get("reported_at")), agency) if "reported_at" in fields else None,
        forwarded_at=_when(row.get(fields.get("forwarded_at")), agency) if "forwarded_at" in fields else None,
        status=status,
    )


def import_reports(agency, filename: str, content: bytes, actor, *, service=None) -> ImportResult:
    """Register every row; a row that fails is reported with its number, the others go in."""
    rows = read_rows(filename, content)
    if not rows:
        raise LaporError(_("Berkas tidak berisi baris laporan."))
    if "tracking_id" not in _field_map(rows[0]):
        raise LaporError(_("Kolom “Tracking ID” tidak ditemukan pada baris judul."))
    if len(rows) > MAX_IMPORT_ROWS:
        raise LaporError(_("Paling banyak %(n)d laporan per berkas.") % {"n": MAX_IMPORT_ROWS})
    result = ImportResult()
    for number, row in enumerate(rows, start=2):
        try:
            report, created = register(
                agency, row_data(row, agency), actor=actor, source=Source.IMPORT, service=service
            )
        except ValidationError as exc:
            result.errors.append((number, " ".join(str(m) for m in exc.messages)))
            continue
        (result.created if created else result.updated).append(report)
    return result


def search(agency, query: str = ""):
    qs = LaporReport.objects.filter(agency=agency).select_related("request").order_by("followup_due_at", "pk")
    query = (query or "").strip()
    if query:
        qs = qs.filter(tracking_id__icontains=query[:40])
    return qs
