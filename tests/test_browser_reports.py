"""Issue 11 in a real browser: the head opens the dashboard, filters a unit and a month, downloads that
month's evaluation report; openpyxl reads back the figures the page shows and pdftotext finds them."""

import os
import shutil
import subprocess
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from layanan.agencies.models import Unit
from layanan.demo.loader import DEMO_PASSWORD
from layanan.reports import periods
from tests.test_reports_numbers import finish_at, service, submit_at

from .browser import browser_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
WIB = ZoneInfo("Asia/Jakarta")


def last_month() -> periods.Period:
    return periods.previous("month", datetime.now(WIB).date())


def working_day(month: periods.Period, n: int):
    """The n-th Monday-to-Thursday of the month (0-based): days with 07:30–16:00 hours."""
    day, seen = month.start, -1
    while True:
        if day.weekday() < 4:
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=WIB)


def build_month(month):
    """Last month at ORGANISASI-KEDIRI: five requests of Tata Laksana's service 14 (one finished late),
    two of Kelembagaan's service 8 — the unit filter must drop those two."""
    tatalaksana = service("ORGANISASI-KEDIRI", 14)  # 5 hari kerja
    for i, (start, finish) in enumerate([(0, 1), (0, 2), (1, 3), (2, 4), (2, 12)]):
        request = submit_at(tatalaksana, at(working_day(month, start), 8), channel=["web", "counter"][i % 2])
        finish_at(request, at(working_day(month, finish), 11))
    kelembagaan = service("ORGANISASI-KEDIRI", 8)
    for start in (3, 4):
        request = submit_at(kelembagaan, at(working_day(month, start), 9))
        finish_at(request, at(working_day(month, start), 13))


def sign_in(page, base, username):
    page.goto(base + "/akun/masuk/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def cards(page) -> dict:
    out = {}
    for block in page.locator("dl.rp-cards > div").all():
        out[block.locator("dt").inner_text().strip()] = block.locator("dd").inner_text().strip()
    return out


def service_row(page, name) -> list[str]:
    table = page.locator("#sla-layanan table")
    row = table.locator("tr", has=page.locator("th", has_text=name))
    return [c.strip() for c in row.locator("th, td").all_inner_texts()]


def test_the_head_filters_a_unit_and_downloads_the_month(seeded, live_server, tmp_path):
    month = last_month()
    build_month(month)
    unit = Unit.objects.get(agency__code="ORGANISASI-KEDIRI", name__startswith="Sub Bagian Tata Laksana")
    with browser_page("reports", width=1200) as page:
        sign_in(page, live_server.url, "kediri.kabag")
        page.goto(live_server.url + "/kelola/")
        page.get_by_role("link", name="Laporan dan dasbor kinerja").click()
        assert page.get_by_role("heading", level=1).inner_text().startswith("Kinerja pelayanan")
        page.get_by_label("Periode", exact=True).select_option(value=month.slug)
        page.get_by_label("Unit", exact=True).select_option(label=unit.name)
        page.get_by_role("button", name="Terapkan").click()
        page.wait_for_url(f"**unit={unit.pk}**")
        assert (
            month.label in page.locator("p.lead").inner_text()
            and unit.name in page.locator("p.lead").inner_text()
        )
        shown = cards(page)
        assert shown["Permohonan masuk"] == "5" and shown["Selesai"] == "5"
        assert shown["Tepat waktu"] == "80,0 %"  # one of five finished after its due time
        row = service_row(page, "Pengesahan standar pelayanan perangkat daerah")
        # Layanan, janji, selesai, dengan janji, tepat waktu, terlambat, %, median, p90
        assert row[1] == "5 hari kerja" and row[2:7] == ["5", "5", "4", "1", "80,0 %"]
        median_text = row[7]
        # Charts are inline SVG with their numbers in a table: no JavaScript needed.
        assert page.locator("svg.chart").count() >= 10

        with page.expect_download() as xlsx_download:
            page.get_by_role("link", name="Unduh XLSX").click()
        xlsx_path = tmp_path / "laporan.xlsx"
        xlsx_download.value.save_as(xlsx_path)
        with page.expect_download() as pdf_download:
            page.get_by_role("link", name="Unduh PDF").click()
        pdf_path = tmp_path / "laporan.pdf"
        pdf_download.value.save_as(pdf_path)

    sheet = load_workbook(xlsx_path)["Ringkasan"]
    assert month.label in sheet["A3"].value and unit.name in sheet["A4"].value
    rows = {sheet.cell(row=r, column=1).value: r for r in range(8, sheet.max_row + 1)}
    assert set(rows) >= {"Pengesahan standar pelayanan perangkat daerah", "Jumlah"}
    assert "Tambahan penghasilan pegawai (TPP)" not in rows  # the other unit's service is filtered out
    r = rows["Pengesahan standar pelayanan perangkat daerah"]
    received, finished, promised, met, late = (sheet.cell(row=r, column=c).value for c in (3, 4, 7, 8, 9))
    assert (received, finished, promised, met, late) == (5, 5, 5, 4, 1)  # what the page showed
    assert f"{100 * met / promised:.1f} %".replace(".", ",") == shown["Tepat waktu"]
    assert sheet.cell(row=r, column=10).value == f'=IF(G{r}=0,"",H{r}/G{r})'
    total = rows["Jumlah"]
    assert sheet.cell(row=total, column=3).value.startswith("=SUM(C8:")
    assert f"{sheet.cell(row=r, column=11).value:.1f}".replace(".", ",") in median_text

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed: make browser installs it")
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, check=True).stdout.decode()
    words = " ".join(text.split())
    for expected in (month.label, "Pengesahan standar pelayanan", "80,0 %", median_text, unit.name):
        assert expected in words, expected
