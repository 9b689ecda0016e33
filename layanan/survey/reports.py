"""The survey report of an agency and period: XLSX (openpyxl) and an A4 PDF (WeasyPrint).

Built by the worker (tasks.py) on demand from the staff screen and on schedule after each survey
period; every file is kept as a SurveyReport row (the history). The XLSX has the answers sheet
(anonymous: never a request, name or contact), the NRR table with the numbers as values and,
beside them, the same numbers as formulas over the answers sheet, the profile tables, the
results per unit and service and the follow-up plan. The PDF is the report an agency sends up:
method, sample, profile, results per element, IKM and category, lowest elements, follow-up.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import presentation, queries
from .ikm import CATEGORY_LABELS, CATEGORY_RANGES, CODES, lowest, to_decimal
from .models import Channel, SurveyReport, SurveyResponse
from .periods import Period, parse
from .questionnaire import ELEMENTS, PROFILE
from .services import config_of, element_order, local_date

log = logging.getLogger(__name__)


@dataclass
class ReportData:
    agency: object
    period: Period
    summary: object
    order: list
    elements: list
    numbers: dict
    lowest: list
    units: list
    services: list
    profile: list
    follow_ups: list
    channels: list
    suggestions: int
    generated_at: object


def collect(agency, period: Period) -> ReportData:
    summary = queries.ikm_summary(agency_id=agency.pk, start=period.start, end=period.end)
    order = element_order(agency)
    low = lowest(summary.nrr, 3, order) if summary else []
    base = SurveyResponse.objects.filter(
        agency=agency, answered_on__gte=period.start, answered_on__lte=period.end
    )
    counts = dict(base.order_by().values_list("channel").annotate(n=Count("id")))
    channels = [(label, counts.get(value, 0)) for value, label in Channel.choices]
    return ReportData(
        agency=agency,
        period=period,
        summary=summary,
        order=order,
        elements=presentation.element_lines(summary, order, low),
        numbers=presentation.numbers(summary),
        lowest=[(code, ELEMENTS[code].name, to_decimal(summary.nrr[code], 2)) for code in low],
        units=queries.unit_rows(agency, period),
        services=queries.service_rows(agency, period),
        profile=queries.profile_tables(agency.pk, period),
        follow_ups=list(queries.follow_ups(agency.pk, period=period.slug)),
        channels=channels,
        suggestions=base.exclude(suggestion="").count(),
        generated_at=timezone.now(),
    )


# ---------------------------------------------------------------- XLSX


def _profile_label(field, value):
    if value is None:
        return ""
    for name, _label, choices in PROFILE:
        if name == field:
            return str(choices(value).label)
    return value


def xlsx_bytes(agency, period: Period) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    data = collect(agency, period)
    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(ws, titles):
        cells = []
        for title in titles:
            cell = WriteOnlyCell(ws, value=str(title))
            cell.font = bold
            cells.append(cell)
        ws.append(cells)

    summary = data.summary
    # ---- Ringkasan
    ws = wb.create_sheet(_("Ringkasan"))
    ws.append([_("Laporan Survei Kepuasan Masyarakat (Permenpan RB 14/2017)")])
    ws.append([_("Instansi"), agency.name])
    ws.append([_("Periode"), period.label, period.start, period.end])
    ws.append([_("Jumlah responden"), summary.respondents if summary else 0])
    ws.append(
        [
            _("Populasi (permohonan selesai)"),
            summary.population
            if summary
            else queries.population(agency_id=agency.pk, start=period.start, end=period.end),
        ]
    )
    ws.append([_("Sampel minimum (Krejcie–Morgan)"), summary.minimum_sample if summary else 0])
    ws.append([_("Sampel memadai"), (_("ya") if summary.adequate else _("tidak")) if summary else ""])
    ws.append([_("IKM (1–4)"), float(summary.ikm) if summary else None])
    ws.append([_("IKM konversi (×25)"), float(summary.converted_rounded) if summary else None])
    ws.append([_("Mutu pelayanan"), f"{summary.category} ({summary.category_label})" if summary else ""])
    ws.append([_("Unsur terendah"), ", ".join(f"{code} {name}" for code, name, _v in data.lowest)])
    ws.append([_("Dibuat"), timezone.localtime(data.generated_at).replace(tzinfo=None)])

    # ---- Jawaban (anonymous)
    ws = wb.create_sheet(_("Jawaban"))
    header(
        ws,
        [
            "No",
            _("Tanggal"),
            _("Waktu"),
            _("Layanan"),
            _("Unit"),
            _("Cara pengisian"),
            _("Jenis kelamin"),
            _("Umur"),
            _("Pendidikan"),
            _("Pekerjaan"),
            *CODES,
            _("Saran"),
        ],
    )
    rows = 0
    channel_labels = dict(Channel.choices)
    tz = ZoneInfo(agency.timezone)
    for number, r in enumerate(queries.responses(agency.pk, period).iterator(chunk_size=2000), start=1):
        rows = number
        ws.append(
            [
                number,
                r.answered_on,
                timezone.localtime(r.answered_at, tz).strftime("%H:%M"),
                r.service.name,
                r.unit.name if r.unit else "",
                str(channel_labels.get(r.channel, r.channel)),
                *[_profile_label(f, getattr(r, f)) for f, _l, _c in PROFILE],
                *[getattr(r, code.lower()) for code in CODES],
                r.suggestion,
            ]
        )
    first_score_col = 11  # K: U1

    # ---- NRR: the numbers, and beside them the same as formulas over the answers sheet
    ws = wb.create_sheet("NRR")
    header(
        ws,
        [
            _("Kode"),
            _("Unsur"),
            _("Jumlah jawaban"),
            _("Jumlah nilai"),
            "NRR",
            _("NRR tertimbang (×1/9)"),
            _("Jumlah jawaban (rumus)"),
            _("Jumlah nilai (rumus)"),
            _("NRR (rumus)"),
            _("NRR tertimbang (rumus)"),
        ],
    )
    sheet = _("Jawaban")
    last = rows + 1
    for i, code in enumerate(CODES):
        line = i + 2
        col = get_column_letter(first_score_col + i)
        value = summary.nrr[code] if summary else None
        ws.append(
            [
                code,
                str(ELEMENTS[code].name),
                summary.answers[code] if summary else 0,
                summary.sums[code] if summary else 0,
                float(value) if value is not None else None,
                float(value / 9) if value is not None else None,
                f"=COUNT('{sheet}'!{col}2:{col}{last})",
                f"=SUM('{sheet}'!{col}2:{col}{last})",
                f'=IF(G{line}=0,"",H{line}/G{line})',
                f'=IF(I{line}="","",I{line}/9)',
            ]
        )
    ws.append([])
    ws.append(
        [
            "IKM",
            _("rata-rata NRR (Σ NRR × 1/9)"),
            None,
            None,
            float(summary.ikm) if summary else None,
            None,
            None,
            None,
            "=SUM(J2:J10)",
        ]
    )
    ws.append(
        [
            _("IKM konversi"),
            "IKM × 25",
            None,
            None,
            float(summary.converted) if summary else None,
            None,
            None,
            None,
            "=I12*25",
        ]
    )
    ws.append(
        [
            _("Nilai konversi dibulatkan"),
            "",
            None,
            None,
            float(summary.converted_rounded) if summary else None,
            None,
            None,
            None,
            "=ROUND(I13,2)",
        ]
    )
    ws.append([_("Mutu pelayanan"), f"{summary.category} ({summary.category_label})" if summary else ""])
    ws.append([])
    ws.append([_("Kategori (nilai konversi)")])
    for code in ("A", "B", "C", "D"):
        ws.append([code, _(CATEGORY_LABELS[code]), CATEGORY_RANGES[code]])

    # ---- Profil
    ws = wb.create_sheet(_("Profil"))
    for table in data.profile:
        header(ws, [str(table["label"]), _("Jumlah"), _("Persen")])
        for text, n, share in table["rows"]:
            ws.append([str(text), n, float(share * 100)])
        ws.append([_("Jumlah"), table["total"]])
        ws.append([])

    # ---- Per unit, per layanan
    ws = wb.create_sheet(_("Per unit"))
    header(ws, [_("Unit"), _("Responden"), "IKM", _("IKM konversi"), _("Mutu"), _("Unsur terendah")])
    for row in data.units:
        s = row.summary
        ws.append(
            [
                "  " * row.depth + row.name,
                row.respondents,
                float(s.ikm) if s else None,
                float(s.converted_rounded) if s else None,
                s.category if s else "",
                ", ".join(row.lowest),
            ]
        )
    ws = wb.create_sheet(_("Per layanan"))
    header(ws, [_("Layanan"), _("Responden"), "IKM", _("IKM konversi"), _("Mutu")])
    for row in data.services:
        s = row.summary
        ws.append(
            [
                row.name,
                row.respondents,
                float(s.ikm) if s else None,
                float(s.converted_rounded) if s else None,
                s.category if s else "",
            ]
        )

    # ---- Tindak lanjut
    ws = wb.create_sheet(_("Tindak lanjut"))
    header(
        ws,
        [
            _("Unit"),
            _("Unsur"),
            _("Rencana tindak lanjut"),
            _("Penanggung jawab"),
            _("Batas waktu"),
            _("Status"),
            _("Hasil"),
        ],
    )
    for f in data.follow_ups:
        ws.append(
            [
                f.unit.name if f.unit else _("Seluruh instansi"),
                f.element,
                f.action,
                f.owner,
                f.due_date,
                str(f.get_status_display()),
                f.result,
            ]
        )

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- PDF


def pdf_html(agency, period: Period) -> str:
    data = collect(agency, period)
    return render_to_string(
        "survey/report_pdf.html",
        {
            "agency": agency,
            "period": period,
            "data": data,
            "summary": data.summary,
            "adequacy": presentation.adequacy_text(data.summary),
            "ranges": CATEGORY_RANGES,
            "logo": logo_data_uri(agency),
        },
    )


PDF_CSS = Path(__file__).resolve().parent / "static" / "survey" / "report_pdf.css"


def pdf_bytes(agency, period: Period) -> bytes:
    from weasyprint import CSS, HTML

    return HTML(string=pdf_html(agency, period)).write_pdf(stylesheets=[CSS(filename=str(PDF_CSS))])


def logo_data_uri(agency) -> str:
    """The agency's logo inline (data: URI): no media URL, works in the PDF and on print."""
    import base64

    if not agency.logo:
        return ""
    try:
        with agency.logo.open("rb") as handle:
            content = handle.read(2_000_000)
    except (OSError, ValueError):
        return ""
    kind = "png"
    if content[:3] == b"\xff\xd8\xff":
        kind = "jpeg"
    elif content.lstrip()[:4] in (b"<svg", b"<?xm"):
        kind = "svg+xml"
    return f"data:image/{kind};base64," + base64.b64encode(content).decode()


# ---------------------------------------------------------------- building and the schedule


def build(report_pk: int) -> SurveyReport | None:
    """Render one queued report into its file (status done, or failed with the reason)."""
    report = SurveyReport.objects.select_related("agency").filter(pk=report_pk).first()
    if report is None or report.status == SurveyReport.Status.DONE:
        return report
    period = parse(report.period)
    try:
        with translation.override("id"):
            content = (xlsx_bytes if report.format == SurveyReport.Format.XLSX else pdf_bytes)(
                report.agency, period
            )
        name = f"skm-{slugify(report.agency.code)}-{period.slug.lower()}-{report.pk}.{report.format}"
        report.file.save(name, ContentFile(content), save=False)
        report.size = len(content)
        report.status = SurveyReport.Status.DONE
        report.error = ""
    except Exception as exc:  # noqa: BLE001 — recorded on the row for the history screen
        log.exception("survey report %s failed", report.pk)
        report.status = SurveyReport.Status.FAILED
        report.error = f"{type(exc).__name__}: {exc}"[:2000]
    report.finished_at = timezone.now()
    report.save()
    return report


def run_schedule(now=None) -> int:
    """After each survey period ends: the XLSX and PDF of the period just ended, once per agency
    that has answers in it. Returns the number of files built."""
    from layanan.agencies.models import Agency

    now = now or timezone.now()
    built = 0
    agency_ids = (
        SurveyResponse.objects.filter(answered_on__gte=(now - timedelta(days=400)).date())
        .order_by()
        .values_list("agency_id", flat=True)
        .distinct()
    )
    for agency in Agency.objects.filter(pk__in=list(agency_ids)):
        today = local_date(agency, now)
        period = queries.period_of(config_of(agency).period_kind, today).previous()
        if not SurveyResponse.objects.filter(
            agency=agency, answered_on__gte=period.start, answered_on__lte=period.end
        ).exists():
            continue
        for fmt in SurveyReport.Format.values:
            try:
                with transaction.atomic():
                    report, created = SurveyReport.objects.get_or_create(
                        agency=agency, period=period.slug, format=fmt, scheduled=True
                    )
            except IntegrityError:
                continue
            if created or report.status == SurveyReport.Status.FAILED:
                report.status = SurveyReport.Status.PENDING
                build(report.pk)
                built += 1
    return built
