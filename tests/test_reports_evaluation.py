"""Evaluation reports: XLSX numbers and formulas, the A4 PDF, the same numbers when made again,
the schedule (monthly / quarterly / yearly / after each complaint), the head's e-mail and approval."""

import io
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from layanan.accounts.models import User
from layanan.agencies.models import Agency, Holiday
from layanan.reports import periods, services
from layanan.reports.models import EvaluationReport
from layanan.requests import lifecycle
from layanan.requests.models import OutboxMessage, Request
from tests.test_reports_numbers import OCTOBER, clock_at, finish_at, make_october, service, submit_at, wib

AFTER_OCTOBER = wib(2, 9, m=11)


def kediri():
    return Agency.objects.select_related("region").get(code="ORGANISASI-KEDIRI")


def october_report(**kwargs):
    return services.ensure(kediri(), EvaluationReport.Kind.MONTHLY, OCTOBER, now=AFTER_OCTOBER, **kwargs)


def workbook(report):
    with report.xlsx.open("rb") as f:
        return load_workbook(io.BytesIO(f.read()))


def pdf_text(report) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    with report.pdf.open("rb") as f:
        data = f.read()
    done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    text = done.stdout.decode()
    return " ".join(text.split())  # table cells wrap: compare words, not lines


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def october(demo):
    return make_october()


def test_the_xlsx_holds_numbers_and_formulas(october):
    report = october_report(services=[])
    sheet = workbook(report)["Ringkasan"]
    assert sheet["A1"].value == "Laporan Evaluasi Kinerja Pelayanan"
    assert "Oktober 2026" in sheet["A3"].value
    rows = {sheet.cell(row=r, column=1).value: r for r in range(8, sheet.max_row + 1)}
    r = rows["Pengesahan standar pelayanan perangkat daerah"]
    values = [sheet.cell(row=r, column=c).value for c in range(2, 10)]
    assert values == ["5 hari kerja", 10, 10, 0, 0, 10, 7, 3]  # promise, received … late: plain numbers
    assert sheet.cell(row=r, column=10).value == f'=IF(G{r}=0,"",H{r}/G{r})'  # the share is a formula
    assert sheet.cell(row=r, column=11).value == 2.5 and sheet.cell(row=r, column=12).value == 7.1
    total = rows["Jumlah"]
    assert sheet.cell(row=total, column=3).value == f"=SUM(C8:C{total - 1})"
    assert sheet.cell(row=total, column=10).value == f'=IF(G{total}=0,"",H{total}/G{total})'
    # The numbers under the SUM add up to what the page shows.
    assert sum(sheet.cell(row=i, column=3).value for i in range(8, total)) == 10
    book = workbook(report)
    assert {"Kanal", "Pelanggaran", "Pengaduan", "Perubahan standar", "IKM", "Rekomendasi"} <= set(
        book.sheetnames
    )
    late = book["Pelanggaran"]
    assert late["B1"].value == 3 and late.max_row == 3 + 3  # three breaches listed with their rows
    channels = book["Kanal"]
    assert channels.cell(row=channels.max_row, column=2).value.startswith("=SUM(B2:")


def test_the_pdf_is_a4_and_pdftotext_finds_the_figures(october):
    report = october_report(services=[])
    from pypdf import PdfReader

    with report.pdf.open("rb") as f:
        first = PdfReader(io.BytesIO(f.read())).pages[0]
    assert (round(float(first.mediabox.width)), round(float(first.mediabox.height))) == (595, 842)  # A4 in pt
    text = pdf_text(report)
    for expected in (
        "Laporan Evaluasi Kinerja Pelayanan",
        "Oktober 2026",
        "70,0 %",
        "2,5 hari kerja",
        "7,1 hari kerja",
        "Belum ada survei",
    ):
        assert expected in text, (expected, text[:3000])
    # The service's name wraps in its table cell, and pdftotext reads a wrapped row line by line
    # across the cells ("Pengesahan standar 5 hari kerja 10 … pelayanan perangkat daerah"): where
    # it wraps depends on the column widths, so its words are looked for in order, not side by side.
    words = iter(text.split())
    assert all(word in words for word in "Pengesahan standar pelayanan perangkat daerah".split()), text[:3000]


def test_regenerating_a_past_period_gives_the_same_numbers(october):
    from layanan.standards.models import ServiceStandard

    # The seed standards have been public since January (test data; the demo publishes them "now").
    ServiceStandard.objects.filter(status="published").update(published_at=datetime(2026, 1, 5, tzinfo=UTC))
    first = october_report(services=[])
    before = first.figures
    # November happens: new requests, a late note on an October breach, one October request reopened and
    # resolved again, a holiday added into October afterwards, a new version of a standard published.
    svc = service("ORGANISASI-KEDIRI", 14)
    finish_at(submit_at(svc, wib(3, 8, m=11)), wib(4, 9, m=11))
    submit_at(svc, wib(5, 8, m=11), channel="web")
    kasubag = User.objects.get(username="kediri.kasubag-tatalaksana")
    late = october[9]
    with clock_at(wib(2, 9, m=11)):
        lifecycle.perform(
            Request.objects.get(pk=late.pk), kasubag, "note", note="Catatan susulan", now=wib(2, 9, m=11)
        )
        reopened = lifecycle.perform(
            Request.objects.get(pk=october[8].pk),
            kasubag,
            "reopen",
            note="Kurang lampiran",
            now=wib(2, 9, m=11),
        )
    finish_at(reopened, wib(9, 10, m=11))
    Holiday.objects.create(agency=kediri(), date=date(2026, 10, 7), name="Libur daerah")
    from layanan.standards import services as standards

    admin = User.objects.get(username="kediri.admin")
    with clock_at(wib(10, 9, m=11)):
        draft = standards.new_version(svc.published_standard, admin)
        draft.duration_text, draft.duration_max = "3 hari kerja", 3
        draft.save()
        standards.mark_discussed(draft, admin, discussed_on=date(2026, 11, 9), notes="Rapat pembahasan")
        standards.enact(draft, admin, decree_number="188/1/2026", decree_date=date(2026, 11, 9))
        standards.publish(draft, admin)
    again = services.generate(
        EvaluationReport.objects.get(pk=first.pk), now=wib(20, 9, m=11), notify_head=False
    )
    assert again.figures == before
    fresh = EvaluationReport(
        agency=kediri(),
        kind=EvaluationReport.Kind.MONTHLY,
        period_start=OCTOBER.start,
        period_end=OCTOBER.end,
        key="test:again",
    )
    assert services.compute_figures(fresh, now=wib(25, 9, m=12)) == before


def test_the_schedule_makes_each_due_report_once_and_mails_the_head_a_link(demo):
    from layanan.standards.models import ServiceStandard

    # The seed standards were published at the start of 2026 (test data: the schedule counts from then).
    ServiceStandard.objects.filter(status="published").update(published_at=datetime(2026, 1, 5, tzinfo=UTC))
    new_year = datetime(2027, 1, 1, 1, 30, tzinfo=periods.ZoneInfo("Asia/Jakarta"))
    made = services.run_schedule(now=new_year)
    kinds = {(r.agency.code, r.kind, r.period_start) for r in made}
    # Seed 002 service 3 and seed 000 are evaluated monthly, seed 001 quarterly, every standard yearly.
    assert ("ORGANISASI-KEDIRI", "monthly", date(2026, 12, 1)) in kinds
    assert ("DPMN-SOLOK", "monthly", date(2026, 12, 1)) in kinds
    assert ("DINSOS-SEKADAU", "quarterly", date(2026, 10, 1)) in kinds
    assert ("DISDUKCAPIL-PROBOLINGGO", "yearly", date(2026, 1, 1)) in kinds
    assert not any(code == "DINSOS-SEKADAU" and kind == "monthly" for code, kind, _d in kinds)
    assert not any(kind == "quarterly" and code != "DINSOS-SEKADAU" for code, kind, _d in kinds)
    monthly = next(r for r in made if r.agency.code == "ORGANISASI-KEDIRI" and r.kind == "monthly")
    assert monthly.services == [service("ORGANISASI-KEDIRI", 3).pk]  # only the standards that say monthly
    mail = OutboxMessage.objects.get(template="report_ready", dedupe_key__startswith=f"report:{monthly.pk}:")
    assert mail.recipient == User.objects.get(username="kediri.kabag").email and mail.request_id is None
    assert f"/kelola/laporan/evaluasi/{monthly.pk}/" in mail.body and "Desember 2026" in mail.subject
    assert ".xlsx" not in mail.body and ".pdf" not in mail.body
    assert services.run_schedule(now=new_year) == []  # nothing twice


def test_no_evaluation_is_due_for_a_period_before_the_standard_was_published(demo):
    from layanan.standards.models import ServiceStandard

    ServiceStandard.objects.filter(status="published").update(published_at=datetime(2026, 11, 20, tzinfo=UTC))
    made = services.run_schedule(now=datetime(2026, 12, 1, 1, 30, tzinfo=periods.ZoneInfo("Asia/Jakarta")))
    assert {r.kind for r in made} == {"monthly"}  # November; not Q3 2026, not 2025


def test_an_evaluation_after_each_complaint(demo):
    from tests.test_request_shapes import test_003_both_intake_paths_lead_to_the_complaint_team

    test_003_both_intake_paths_lead_to_the_complaint_team(demo, "email", "Operator IT", "bangli.operator")
    request = Request.objects.get(agency__code="DPMPTSP-BANGLI")
    made = services.run_after_case(now=datetime(2026, 11, 24, 9, tzinfo=periods.ZoneInfo("Asia/Makassar")))
    [report] = made
    assert report.kind == "after_case" and report.request == request
    assert report.figures["filters"]["request"] == request.tracking_code
    assert report.figures["totals"]["finished"] == 1 and report.figures["complaints"]["met"] == 1
    assert report.figures["complaints"]["answered"][0]["answer"] == "Jawaban atas pengaduan"
    assert OutboxMessage.objects.filter(template="report_ready", recipient__isnull=False).exists()
    assert (
        services.run_after_case(now=datetime(2026, 11, 24, 10, tzinfo=periods.ZoneInfo("Asia/Makassar")))
        == []
    )


def test_the_head_writes_recommendations_and_approves(october, client_for):
    report = october_report(services=[])
    url = f"/kelola/laporan/evaluasi/{report.pk}/"
    secretary = client_for("kediri.admin")
    assert secretary.get(url).status_code == 200
    assert secretary.post(url, {"recommendations": "x", "sahkan": "1"}).status_code == 404
    head = client_for("kediri.kabag")
    page = head.get(url)
    assert page.status_code == 200 and "Simpan dan sahkan" in page.content.decode()
    response = head.post(
        url, {"recommendations": "Tambah satu pelaksana di Sub Bagian Tata Laksana.", "sahkan": "1"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_final and report.finalised_by.username == "kediri.kabag"
    assert "Tambah satu pelaksana" in pdf_text(report)
    assert workbook(report)["Rekomendasi"]["A2"].value.startswith("Tambah satu pelaksana")
    assert head.post(url, {"recommendations": "ubah"}).status_code == 404  # final: no more changes
    same = services.ensure(kediri(), EvaluationReport.Kind.MONTHLY, OCTOBER, services=[], now=wib(3, 9, m=12))
    assert same.pk == report.pk and same.recommendations.startswith("Tambah")
    for fmt in ("xlsx", "pdf"):
        download = head.get(f"/kelola/laporan/evaluasi/{report.pk}/{fmt}/")
        assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"


def test_a_report_is_signed_only_after_its_period(october, client_for):
    current = periods.containing("month", datetime.now().date())
    report = services.ensure(kediri(), EvaluationReport.Kind.MONTHLY, current, services=[])
    response = client_for("kediri.kabag").post(
        f"/kelola/laporan/evaluasi/{report.pk}/", {"recommendations": "x", "sahkan": "1"}
    )
    assert response.status_code == 400 and "setelah periodenya berakhir" in response.content.decode()


def test_staff_of_another_agency_never_see_a_report(october, client_for):
    report = october_report(services=[])
    for username in ("dinsos.kadis", "kediri.overseer", "kediri.petugas"):
        client = client_for(username)
        assert client.get(f"/kelola/laporan/evaluasi/{report.pk}/").status_code == 404
        assert client.get(f"/kelola/laporan/evaluasi/{report.pk}/pdf/").status_code == 404


def test_the_dashboard_download_is_the_filtered_period(october, client_for):
    from layanan.agencies.models import Unit

    tatalaksana = Unit.objects.get(
        agency__code="ORGANISASI-KEDIRI", name__startswith="Sub Bagian Tata Laksana"
    )
    response = client_for("kediri.kabag").get(
        f"/kelola/laporan/evaluasi/unduh/?periode=2026-10&unit={tatalaksana.pk}&format=xlsx"
    )
    assert response.status_code == 200
    report = EvaluationReport.objects.get(unit=tatalaksana)
    assert report.kind == "monthly" and report.figures["totals"]["finished"] == 10
    assert not OutboxMessage.objects.filter(template="report_ready").exists()  # asked on screen: no e-mail
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "Unit: Sub Bagian Tata Laksana" in book["Ringkasan"]["A4"].value


def test_the_survey_s_ikm_is_one_part_of_the_dashboard_and_the_report(october, client_for):
    from layanan.survey import services as survey
    from layanan.survey.models import CODES

    svc = service("ORGANISASI-KEDIRI", 14)
    for scores in ((4,) * 9, (3,) * 9, (4, 4, 4, 4, 3, 3, 3, 3, 3)):
        survey.record_answer(service=svc, channel="kiosk", scores=dict(zip(CODES, scores, strict=True)),
                             profile={"sex": 1, "age_band": 2, "education": 3, "occupation": 4},
                             answered_on=date(2026, 10, 15))
    # NRR: U1–U4 (4+3+4)/3, U5–U9 (4+3+3)/3 → IKM = (4·11/3 + 5·10/3)/9 × 25 = 87.04 → B "Baik".
    expected = "87,04 (B — Baik)"
    page = client_for("kediri.kabag").get("/kelola/laporan/?periode=2026-10")
    assert dict(page.context["dash"].cards)["IKM"] == expected
    region = client_for("kediri.overseer").get("/kelola/laporan/daerah/?periode=2026-10").content.decode()
    assert expected in region
    report = october_report(services=[])
    assert report.figures["ikm"]["respondents"] == 3 and report.figures["ikm"]["category"] == "B"
    assert workbook(report)["IKM"]["B2"].value == pytest.approx(87.037, abs=1e-3)
    assert "87,04 (B — Baik), 3 responden" in pdf_text(report)
