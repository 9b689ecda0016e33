"""Open data: an agency's monthly figures for anyone, as a page and CSV, without personal data."""

import csv
import io

import pytest

from layanan.reports.models import MonthlyStat
from layanan.requests.models import Request
from tests.test_reports_numbers import clock_at, make_october, wib

PAGE = "/ORGANISASI-KEDIRI/data-terbuka/"
NOVEMBER_20 = wib(20, 12, m=11)


@pytest.fixture
def october(demo):
    made = make_october()
    # Test data: names and subjects that must never reach the open data.
    Request.objects.filter(pk__in=[r.pk for r in made]).update(
        applicant_name="Siti Rahmawati", subject="Izin Siti Rahmawati di Jl. Melati 5"
    )
    return made


def rows_of(content: bytes) -> list[dict]:
    text = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_page_and_the_monthly_csv_carry_the_figures(october, client):
    with clock_at(NOVEMBER_20):
        page = client.get(PAGE)
        monthly = client.get(PAGE + "bulanan.csv")
    assert page.status_code == 200 and page["Cache-Control"].startswith("public")
    html = page.content.decode()
    assert "Oktober 2026" in html and "70,0 %" in html and "2,5 hari kerja" in html
    for name in ("bulanan", "layanan-bulanan", "kanal-bulanan"):
        assert f"{PAGE}{name}.csv" in html
    assert monthly.status_code == 200 and monthly["Content-Type"].startswith("text/csv")
    assert "attachment" in monthly["Content-Disposition"]
    rows = {r["bulan"]: r for r in rows_of(monthly.content)}
    assert len(rows) == 13 and rows["2026-11"]["lengkap"] == "0" and rows["2026-10"]["lengkap"] == "1"
    october_row = rows["2026-10"]
    assert (
        october_row["masuk"],
        october_row["selesai"],
        october_row["tepat_waktu"],
        october_row["terlambat"],
    ) == ("10", "10", "7", "3")
    assert october_row["tepat_waktu_persen"] == "70.0" and october_row["median_hari_kerja"] == "2.5"


def test_per_service_and_per_channel_files(october, client):
    with clock_at(NOVEMBER_20):
        services = rows_of(client.get(PAGE + "layanan-bulanan.csv").content)
        channels = rows_of(client.get(PAGE + "kanal-bulanan.csv").content)
    [row] = [r for r in services if r["bulan"] == "2026-10"]
    assert row["layanan"] == "pengesahan-standar-pelayanan" and row["masuk"] == "10"
    october_channels = {r["kanal"]: int(r["masuk"]) for r in channels if r["bulan"] == "2026-10"}
    assert october_channels == {"counter": 4, "web": 4, "email": 1, "letter": 1}


def test_no_personal_data_in_any_of_it(october, client):
    with clock_at(NOVEMBER_20):
        bodies = [client.get(PAGE).content] + [
            client.get(f"{PAGE}{n}.csv").content for n in ("bulanan", "layanan-bulanan", "kanal-bulanan")
        ]
    for body in bodies:
        text = body.decode("utf-8-sig")
        assert "Siti" not in text and "Melati" not in text
        for request in october:
            assert request.tracking_code not in text


def test_an_ended_month_is_stored_once_and_read_back(october, client):
    with clock_at(NOVEMBER_20):
        client.get(PAGE)
    stored = MonthlyStat.objects.get(
        agency__code="ORGANISASI-KEDIRI", month="2026-10-01", service__isnull=True
    )
    assert (stored.received, stored.met, stored.median_days) == (10, 7, 2.5)
    assert not MonthlyStat.objects.filter(month="2026-11-01").exists()  # the running month is live
    MonthlyStat.objects.filter(pk=stored.pk).update(received=11)  # the page reads the store
    with clock_at(NOVEMBER_20):
        rows = {r["bulan"]: r for r in rows_of(client.get(PAGE + "bulanan.csv").content)}
    assert rows["2026-10"]["masuk"] == "11"


def test_unknown_file_or_agency_is_404(demo, client):
    assert client.get(PAGE + "rahasia.csv").status_code == 404
    assert client.get("/TIDAK-ADA/data-terbuka/").status_code == 404


def test_the_agency_page_links_the_open_data(demo, client):
    assert PAGE in client.get("/ORGANISASI-KEDIRI/").content.decode()
