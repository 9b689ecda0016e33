"""Issue 10: the survey report as XLSX (numbers read back) and PDF (pdftotext finds the IKM), on demand
from the staff screen and by the schedule, kept in a history."""

import io
import shutil
import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from layanan.agencies.models import Agency
from layanan.standards.models import Service
from layanan.survey import reports, services
from layanan.survey.ikm import CODES
from layanan.survey.models import FollowUp, SurveyReport, SurveyResponse
from layanan.survey.periods import parse

from .conftest import login

AGENCY = "DISDUKCAPIL-PROBOLINGGO"
SCORES = ((4, 3, 3, 4, 3, 4, 4, 3, 3), (3, 3, 2, 4, 3, 3, 4, 3, 2), (4, 4, 3, 4, 4, 4, 4, 3, 3))


@pytest.fixture
def answered(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    service = Service.objects.filter(agency__code=AGENCY).first()
    for i, scores in enumerate(SCORES):
        services.record_answer(
            service=service,
            channel="kiosk",
            scores=dict(zip(CODES, scores, strict=True)),
            profile={"sex": 1 + i % 2, "age_band": 3, "education": 5, "occupation": 4},
            suggestion="Ruang tunggu panas" if i == 1 else "",
            answered_on=date(2026, 2, 3 + i),
        )
    FollowUp.objects.create(
        agency=service.agency,
        unit=service.unit,
        period="2026-S1",
        element="U3",
        action="Tambah petugas loket",
        owner="Kabid PIAK",
        due_date=date(2026, 6, 30),
    )
    return service


def test_xlsx_has_the_answers_the_nrr_numbers_and_formulas_and_the_profile(answered):
    from openpyxl import load_workbook

    content = reports.xlsx_bytes(answered.agency, parse("2026-S1"))
    book = load_workbook(io.BytesIO(content))
    assert {"Ringkasan", "Jawaban", "NRR", "Profil", "Per unit", "Per layanan", "Tindak lanjut"} <= set(
        book.sheetnames
    )
    answers = list(book["Jawaban"].iter_rows(min_row=2, values_only=True))
    assert len(answers) == 3
    assert [row[10:19] for row in answers] == [tuple(s) for s in SCORES]
    assert "Ruang tunggu panas" in [row[19] for row in answers]
    nrr = {row[0]: row for row in book["NRR"].iter_rows(min_row=2, values_only=True) if row and row[0]}
    # Numbers: U3 answered 3 times, 8 points, NRR 8/3.
    assert nrr["U3"][2:5] == (3, 8, pytest.approx(8 / 3))
    assert nrr["U3"][6].startswith("=COUNT(") and nrr["U3"][8].startswith("=IF(")
    assert nrr["IKM"][4] == pytest.approx(91 / 27)
    assert nrr["IKM konversi"][4] == pytest.approx(2275 / 27)
    assert nrr["Nilai konversi dibulatkan"][4] == pytest.approx(84.26)
    assert nrr["Mutu pelayanan"][1] == "B (Baik)"
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Jumlah responden"] == 3 and summary["IKM konversi (×25)"] == pytest.approx(84.26)
    profile = [
        row
        for row in book["Profil"].iter_rows(values_only=True)
        if row and row[0] in ("Laki-laki", "Perempuan")
    ]
    assert profile == [("Laki-laki", 2, pytest.approx(200 / 3)), ("Perempuan", 1, pytest.approx(100 / 3))]
    follow = list(book["Tindak lanjut"].iter_rows(min_row=2, values_only=True))
    assert follow[0][2] == "Tambah petugas loket"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_report_states_method_sample_results_lowest_and_follow_up(answered, tmp_path):
    content = reports.pdf_bytes(answered.agency, parse("2026-S1"))
    path = tmp_path / "skm.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())
    for expected in (
        "LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT",
        "Semester I 2026",
        "Metode",
        "Krejcie",
        "84,26",
        "B (Baik)",
        "Unsur dengan nilai terendah",
        "Tambah petugas loket",
    ):
        assert expected in text, expected
    assert "Ruang tunggu panas" not in text  # suggestions stay with the agency


def test_the_head_requests_both_files_and_downloads_them_from_the_history(
    answered, django_capture_on_commit_callbacks
):
    head = login("dukcapil.kadis")
    url = reverse("survey:reports")
    for fmt in ("xlsx", "pdf"):
        with django_capture_on_commit_callbacks(execute=True):  # the worker builds it after the commit
            assert head.post(url, {"period": "2026-S1", "format": fmt}).status_code == 302
    done = SurveyReport.objects.filter(status="done").order_by("format")
    assert [r.format for r in done] == ["pdf", "xlsx"] and all(r.size > 1000 for r in done)
    page = head.get(url + "?periode=2026-S1").content.decode()
    for report in done:
        link = reverse("survey:report_download", args=[report.pk])
        assert link in page
        response = head.get(link)
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        body = b"".join(response.streaming_content)
        assert body[:4] in (b"%PDF", b"PK\x03\x04")
    # Bad input: a period that is not one, an unknown format — a message, no file.
    assert head.post(url, {"period": "2026-S9", "format": "pdf"}).status_code == 302
    assert head.post(url, {"period": "2026-S1", "format": "doc"}).status_code == 302
    assert SurveyReport.objects.count() == 2
    # Another agency's staff cannot download it; the front desk cannot open the screen.
    other = login("dinsos.kadis")
    assert other.get(reverse("survey:report_download", args=[done[0].pk])).status_code == 404
    assert login("dukcapil.petugas").get(url).status_code == 404


def test_the_schedule_builds_the_period_just_ended_once(answered):
    after = datetime(2026, 7, 2, 3, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert reports.run_schedule(now=after) == 2
    assert reports.run_schedule(now=after) == 0
    built = SurveyReport.objects.filter(scheduled=True)
    assert sorted((r.period, r.format, r.status) for r in built) == [
        ("2026-S1", "pdf", "done"),
        ("2026-S1", "xlsx", "done"),
    ]
    assert all(r.requested_by is None for r in built)


def test_management_commands(answered, tmp_path, capsys):
    out = tmp_path / "skm.xlsx"
    call_command("survey_report", agency=AGENCY, period="2026-S1", format="xlsx", out=str(out))
    assert out.read_bytes()[:2] == b"PK"
    call_command("survey_ikm", agency=AGENCY, period="2026-S1")
    printed = capsys.readouterr().out
    assert "converted: 84.26" in printed and "category: B" in printed and "respondents: 3" in printed
    region = Agency.objects.get(code=AGENCY).region.slug
    call_command("survey_ikm", region=region, period="2026")
    assert "respondents: 3" in capsys.readouterr().out


def test_a_report_with_no_answers_is_still_a_report(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    agency = Agency.objects.get(code="DINSOS-SEKADAU")
    assert SurveyResponse.objects.filter(agency=agency).count() == 0
    assert reports.xlsx_bytes(agency, parse("2025"))[:2] == b"PK"
    assert "Tidak ada jawaban survei" in reports.pdf_html(agency, parse("2025"))
