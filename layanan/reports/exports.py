"""The report's files: XLSX (openpyxl: numbers as numbers, totals and shares as formulas), the A4
PDF (WeasyPrint, from an HTML template with the SVG charts) and the open data CSV."""

from __future__ import annotations

import base64
import csv
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from . import charts, metrics, queries

SUMMARY_HEAD = [
    "Layanan",
    "Janji waktu",
    "Masuk",
    "Selesai",
    "Ditolak",
    "Dicabut",
    "Dengan janji waktu",
    "Tepat waktu",
    "Terlambat",
    "Tepat waktu (%)",
    "Median (hari kerja)",
    "P90 (hari kerja)",
    "Terbuka di akhir periode",
]
SUMMARY_KEYS = [
    None,
    None,
    "received",
    "finished",
    "rejected",
    "withdrawn",
    "with_promise",
    "met",
    "breached",
    None,
    "median_days",
    "p90_days",
    "open_end",
]
FIRST_ROW = 8  # the first service row of the summary sheet


def _local(value: str | None, tz: str):
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def status_line(report) -> str:
    if report.is_final and report.finalised_at:
        when = report.finalised_at.astimezone(ZoneInfo(report.agency.timezone))
        return _("Disahkan oleh %(name)s pada %(when)s") % {
            "name": report.finalised_by or "—",
            "when": f"{when:%d-%m-%Y %H:%M}",
        }
    return _("Draf — belum disahkan")


def scope_line(report) -> str:
    f = report.figures.get("filters", {})
    parts = []
    if f.get("request"):
        parts.append(_("Kasus %(code)s") % {"code": f["request"]})
    if f.get("unit"):
        parts.append(_("Unit: %(u)s") % {"u": f["unit"]})
    if f.get("services"):
        parts.append(_("Layanan: %(s)s") % {"s": ", ".join(f["services"])})
    if f.get("channel"):
        parts.append(_("Kanal: %(c)s") % {"c": f["channel"]})
    return "; ".join(parts) or _("Seluruh layanan instansi")


# ---------------------------------------------------------------- XLSX


def report_xlsx(report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    fig = report.figures
    tz = report.agency.timezone
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    book = Workbook()
    sheet = book.active
    sheet.title = "Ringkasan"
    sheet["A1"] = "Laporan Evaluasi Kinerja Pelayanan"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = fig["agency"]["name"]
    sheet["A3"] = f"Periode: {fig['period']['label']} ({fig['period']['start']} s.d. {fig['period']['end']})"
    sheet["A4"] = f"Cakupan: {scope_line(report)}"
    sheet["A5"] = f"Status: {status_line(report)}"
    header_row = FIRST_ROW - 1
    for col, title in enumerate(SUMMARY_HEAD, start=1):
        cell = sheet.cell(row=header_row, column=col, value=title)
        cell.font, cell.alignment = bold, wrap
    rows = fig["services"]
    last = FIRST_ROW + len(rows) - 1
    for i, row in enumerate(rows):
        r = FIRST_ROW + i
        sheet.cell(row=r, column=1, value=row["name"])
        sheet.cell(row=r, column=2, value=row["promise"])
        for col, key in enumerate(SUMMARY_KEYS, start=1):
            if key:
                sheet.cell(row=r, column=col, value=row[key])
        sheet.cell(row=r, column=10, value=f'=IF(G{r}=0,"",H{r}/G{r})').number_format = "0.0%"
    total = last + 1
    sheet.cell(row=total, column=1, value="Jumlah").font = bold
    for col, key in enumerate(SUMMARY_KEYS, start=1):
        if key in (None, "median_days", "p90_days"):
            continue
        letter = get_column_letter(col)
        value = f"=SUM({letter}{FIRST_ROW}:{letter}{last})" if rows else 0
        sheet.cell(row=total, column=col, value=value).font = bold
    sheet.cell(row=total, column=10, value=f'=IF(G{total}=0,"",H{total}/G{total})').number_format = "0.0%"
    sheet.cell(row=total, column=11, value=fig["totals"]["median_days"])
    sheet.cell(row=total, column=12, value=fig["totals"]["p90_days"])
    for col in (11, 12):
        for r in range(FIRST_ROW, total + 1):
            sheet.cell(row=r, column=col).number_format = "0.00"
    note = total + 2
    sheet.cell(
        row=note,
        column=1,
        value=(
            "Selesai = mencapai akhir prosedur atau ditolak dengan alasan. Tepat waktu (%) = tepat waktu "
            "/ selesai dengan janji waktu. Waktu penyelesaian dalam hari kerja sejak waktu mulai dihitung, "
            "tanpa masa menunggu kelengkapan dari pemohon; median dan P90 dihitung dari setiap permohonan."
        ),
    )
    sheet.cell(row=note + 1, column=1, value="Menunggu pemohon di akhir periode")
    sheet.cell(row=note + 1, column=3, value=fig.get("waiting_end", 0))
    sheet.cell(row=note + 2, column=1, value="Kompensasi timbul / diberikan dalam periode")
    sheet.cell(row=note + 2, column=3, value=fig["compensation"]["due"])
    sheet.cell(row=note + 2, column=4, value=fig["compensation"]["done"])
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 26
    for col in range(3, 14):
        sheet.column_dimensions[get_column_letter(col)].width = 13

    def counts_sheet(title, head, items):
        ws = book.create_sheet(title)
        ws.append(head + ["Bagian (%)"])
        for c in ws[1]:
            c.font = bold
        for label, n in items:
            ws.append([label, n])
        end = len(items) + 1
        ws.append(["Jumlah", f"=SUM(B2:B{end})" if items else 0])
        for r in range(2, end + 1):
            ws.cell(row=r, column=3, value=f'=IF(B{end + 1}=0,"",B{r}/B{end + 1})').number_format = "0.0%"
        ws.column_dimensions["A"].width = 40
        return ws

    counts_sheet("Kanal", ["Kanal", "Permohonan masuk"], fig["channels"])
    counts_sheet("Jenis", ["Jenis", "Permohonan masuk"], fig["kinds"])
    counts_sheet("Unit", ["Unit", "Permohonan masuk"], fig["units"])
    counts_sheet("Waktu penyelesaian", ["Hari kerja", "Selesai"], fig["histogram"])

    ws = book.create_sheet("Pelanggaran")
    ws.append(["Terlambat dalam periode", fig["breaches"]["finished_late"]])
    ws.append([])
    ws.append(["Kode", "Layanan", "Tenggat", "Selesai", "Terlambat (hari kerja)", "Sebab (catatan petugas)"])
    for c in ws[3]:
        c.font = bold
    for b in fig["breaches"]["rows"]:
        ws.append(
            [
                b["code"],
                b["service"],
                _local(b["due"], tz),
                _local(b["finished"], tz),
                b["late_days"],
                "\n".join(b["causes"]) or "—",
            ]
        )
    for r in range(4, ws.max_row + 1):
        ws.cell(row=r, column=3).number_format = ws.cell(row=r, column=4).number_format = "dd-mm-yyyy hh:mm"
        ws.cell(row=r, column=6).alignment = wrap
    for letter, width in zip("ABCDEF", (30, 36, 17, 17, 12, 70), strict=True):
        ws.column_dimensions[letter].width = width

    c = fig["complaints"]
    ws = book.create_sheet("Pengaduan")
    ws.append(["Pengaduan masuk", c["received"]])
    ws.append(["Pengaduan selesai", c["finished"]])
    ws.append(["Selesai dengan janji waktu", c["with_promise"]])
    ws.append(["Dijawab dalam waktu standar", c["met"]])
    ws.append(["Dijawab dalam waktu standar (%)", '=IF(B3=0,"",B4/B3)'])
    ws["B5"].number_format = "0.0%"
    ws.append([])
    ws.append(["Kata yang sering muncul dalam perihal", "Pengaduan"])
    for word, n in c["topics"]:
        ws.append([word, n])
    ws.append([])
    ws.append(["Kode", "Layanan", "Selesai", "Tepat waktu", "Hasil", "Tindak lanjut / jawaban"])
    head_row = ws.max_row
    for cell in ws[head_row]:
        cell.font = bold
    for a in c["answered"]:
        on_time = "—" if a["on_time"] is None else ("ya" if a["on_time"] else "tidak")
        ws.append(
            [
                a["code"],
                a["service"],
                _local(a["finished"], tz),
                on_time,
                "ditolak" if a["outcome"] == "rejected" else "selesai",
                a["answer"] or "—",
            ]
        )
        ws.cell(row=ws.max_row, column=3).number_format = "dd-mm-yyyy hh:mm"
        ws.cell(row=ws.max_row, column=6).alignment = wrap
    for letter, width in zip("ABCDEF", (36, 30, 17, 12, 10, 70), strict=True):
        ws.column_dimensions[letter].width = width

    ws = book.create_sheet("Perubahan standar")
    ws.append(["Layanan", "Versi", "Dipublikasikan", "Nomor keputusan", "Komponen yang berubah"])
    for cell in ws[1]:
        cell.font = bold
    for ch in fig["changes"]:
        ws.append(
            [
                ch["service"],
                ch["version"],
                _local(ch["published"], tz),
                ch["decree"],
                ", ".join(ch["changed"]),
            ]
        )
        ws.cell(row=ws.max_row, column=3).number_format = "dd-mm-yyyy"
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["E"].width = 60

    ws = book.create_sheet("IKM")
    if fig["ikm"]:
        i = fig["ikm"]
        ws.append(["Responden", i["respondents"]])
        ws.append(["IKM (konversi 25–100)", i["converted"]])
        ws.append(["Mutu pelayanan", f"{i['category']} — {i['category_label']}"])
        ws.append(["Sampel minimum (Krejcie–Morgan)", i["minimum_sample"]])
        ws.append(["Sampel memadai", "ya" if i["adequate"] else "tidak"])
    else:
        ws.append(["Belum ada survei"])
    ws.column_dimensions["A"].width = 36

    ws = book.create_sheet("Rekomendasi")
    ws["A1"] = "Rekomendasi pimpinan"
    ws["A1"].font = bold
    ws["A2"] = report.recommendations or "—"
    ws["A2"].alignment = wrap
    ws["A4"] = status_line(report)
    ws.column_dimensions["A"].width = 100

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- PDF


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def pdf_context(report) -> dict:
    fig = report.figures
    tz = report.agency.timezone

    def when(value):
        local = _local(value, tz)
        return f"{local:%d-%m-%Y %H:%M}" if local else "—"

    services = [
        [
            r["name"],
            r["promise"] or "—",
            r["received"],
            r["finished"],
            r["with_promise"],
            r["met"],
            r["breached"],
            metrics.fmt_pct(r["met_pct"]),
            r["median_text"],
            r["p90_text"],
            r["open_end"],
        ]
        for r in fig["services"]
    ]
    t = fig["totals"]
    totals = [
        "Jumlah",
        "",
        t["received"],
        t["finished"],
        t["with_promise"],
        t["met"],
        t["breached"],
        metrics.fmt_pct(t["met_pct"]),
        t["median_text"],
        t["p90_text"],
        t["open_end"],
    ]
    split = charts.split_bars(
        [(r["name"], r["met"], r["breached"]) for r in fig["services"] if r["with_promise"]],
        title="Tepat waktu dan terlambat per layanan",
    )
    hist = charts.histogram(
        [tuple(r) for r in fig["histogram"]],
        title="Sebaran waktu penyelesaian (hari kerja)",
        markers=[
            (
                f"median {t['median_text']}",
                charts.bin_position(t["median_days"], queries.DAY_EDGES),
                "#1a1a1a",
            )
        ]
        if t["median_days"] is not None
        else [],
    )
    chan = charts.hbar([tuple(r) for r in fig["channels"]], title="Permohonan masuk per kanal")
    c = fig["complaints"]
    return {
        "report": report,
        "fig": fig,
        "status": status_line(report),
        "scope": scope_line(report),
        "services": services,
        "totals": totals,
        "charts": {"split": _data_uri(split), "hist": _data_uri(hist), "channels": _data_uri(chan)},
        "breaches": [
            [
                b["code"],
                b["service"],
                when(b["due"]),
                when(b["finished"]),
                metrics.fmt_num(b["late_days"]),
                b["causes"],
            ]
            for b in fig["breaches"]["rows"][:50]
        ],
        "breaches_more": max(0, len(fig["breaches"]["rows"]) - 50),
        "complaints": {
            "received": c["received"],
            "finished": c["finished"],
            "met": c["met"],
            "with_promise": c["with_promise"],
            "met_pct": metrics.fmt_pct(c["met_pct"]),
            "topics": c["topics"],
            "answered": [
                [
                    a["code"],
                    a["service"],
                    when(a["finished"]),
                    "—" if a["on_time"] is None else ("ya" if a["on_time"] else "tidak"),
                    a["answer"] or "—",
                ]
                for a in c["answered"][:50]
            ],
        },
        "changes": [
            [
                ch["service"],
                ch["version"],
                when(ch["published"]),
                ch["decree"] or "—",
                ", ".join(ch["changed"]),
            ]
            for ch in fig["changes"]
        ],
        "ikm": fig["ikm"],
        "ikm_text": (
            f"{metrics.fmt_num(fig['ikm']['converted'], 2)} ({fig['ikm']['category']} — "
            f"{fig['ikm']['category_label']}), {fig['ikm']['respondents']} responden"
        )
        if fig["ikm"]
        else "Belum ada survei",
    }


PDF_CSS = Path(__file__).resolve().parent / "static" / "reports" / "report_pdf.css"


def report_pdf(report) -> bytes:
    from weasyprint import CSS, HTML  # heavy: imported when a report is rendered

    context = pdf_context(report)
    html = render_to_string("reports/report_pdf.html", context)
    footer = f"{report.agency.name} — {report.figures['period']['label']}"
    footer = footer.replace("\\", "").replace('"', "'")
    page = CSS(string="@page { @bottom-left { content: \"" + footer + "\"; font-size: 8pt; color: #555; } }")
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PDF_CSS)), page])


# ---------------------------------------------------------------- open data CSV


def csv_bytes(head: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(head)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode()  # BOM: spreadsheet programs read UTF-8
