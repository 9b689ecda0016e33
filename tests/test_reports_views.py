"""Who opens which report screen, the filters' bad input, the console's link."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from layanan.agencies.models import Agency, Unit
from layanan.reports import ikm, periods
from layanan.standards.models import Service
from layanan.survey import services as survey
from layanan.survey.ikm import CODES

DASHBOARD = "/kelola/laporan/"
REGION = "/kelola/laporan/daerah/"
COMPLIANCE = "/kelola/laporan/kepatuhan/"
THRESHOLDS = "/kelola/laporan/kepatuhan/ambang/"
REPORTS = "/kelola/laporan/evaluasi/"


@pytest.mark.parametrize(
    "username",
    [
        "kediri.kabag",
        "kediri.admin",
        "dinsos.sekretaris",
        "dinsos.kadis",
        "kediri.kasubag-kelembagaan",
        "dinsos.kabid",
    ],
)
def test_the_leadership_and_unit_heads_open_the_agency_dashboard(client_for, username):
    assert client_for(username).get(DASHBOARD).status_code == 200


@pytest.mark.parametrize(
    "username", ["kediri.petugas", "kediri.pelaksana", "dinsos.tu", "bangli.operator", "dukcapil.analis"]
)
def test_desk_staff_get_404(client_for, username):
    client = client_for(username)
    for url in (DASHBOARD, REGION, COMPLIANCE, THRESHOLDS, REPORTS, REPORTS + "unduh/?format=xlsx"):
        assert client.get(url).status_code == 404, url


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_the_overseer_reads_the_region_and_compliance_never_the_agency_screens(client_for):
    client = client_for("kediri.overseer")
    assert client.get(DASHBOARD).status_code == 302  # → the region dashboard
    assert client.get(REGION).status_code == 200
    assert client.get(COMPLIANCE).status_code == 200
    assert client.get(THRESHOLDS).status_code == 200
    assert client.get(REPORTS).status_code == 404
    assert client.get(REPORTS + "unduh/?format=xlsx").status_code == 404


def test_agency_staff_do_not_read_the_region_screens(client_for):
    client = client_for("kediri.kabag")
    for url in (REGION, COMPLIANCE, THRESHOLDS):
        assert client.get(url).status_code == 404


def test_a_unit_head_cannot_filter_a_unit_outside_their_subtree(client_for):
    other = Unit.objects.get(agency__code="ORGANISASI-KEDIRI", name__startswith="Sub Bagian Reformasi")
    response = client_for("kediri.kasubag-kelembagaan").get(f"{DASHBOARD}?unit={other.pk}")
    assert response.status_code == 400
    assert "Pilih" in response.content.decode()


def test_a_unit_of_another_agency_is_a_bad_filter(client_for):
    dinsos_unit = Unit.objects.filter(agency__code="DINSOS-SEKADAU").first()
    assert client_for("kediri.kabag").get(f"{DASHBOARD}?unit={dinsos_unit.pk}").status_code == 400


@pytest.mark.parametrize(
    "query,message",
    [
        ("periode=2026-13", "Periode tidak dikenal"),
        ("periode=kemarin", "Periode tidak dikenal"),
        ("dari=2026-10-01", "Isi tanggal awal dan akhir"),
        ("dari=2026-10-10&sampai=2026-10-01", "tidak boleh sebelum"),
        ("dari=2024-01-01&sampai=2026-01-01", "paling panjang satu tahun"),
        ("dari=1990-01-01&sampai=1990-02-01", "di luar rentang"),
        ("dari=bukan-tanggal&sampai=2026-01-01", "tanggal"),
        ("kanal=merpati", "Pilih"),
        ("layanan=999999", "Pilih"),
    ],
)
def test_bad_filters_get_an_indonesian_message_and_400(client_for, query, message):
    response = client_for("kediri.kabag").get(f"{DASHBOARD}?{query}")
    assert response.status_code == 400
    assert message.lower() in response.content.decode().lower()


def test_bad_download_format_is_400(client_for):
    assert client_for("kediri.kabag").get(REPORTS + "unduh/?format=docx").status_code == 400


@pytest.mark.parametrize(
    "preset",
    [
        "bulan-ini",
        "bulan-lalu",
        "triwulan-ini",
        "triwulan-lalu",
        "tahun-ini",
        "tahun-lalu",
        "2026-T3",
        "2025",
    ],
)
def test_presets_render(client_for, preset):
    assert client_for("kediri.kabag").get(f"{DASHBOARD}?periode={preset}").status_code == 200


def test_the_console_links_the_reports_by_role(client_for):
    assert "/kelola/laporan/" in client_for("kediri.kabag").get("/kelola/").content.decode()
    assert "/kelola/laporan/daerah/" in client_for("kediri.overseer").get("/kelola/").content.decode()
    assert "/kelola/laporan/" not in client_for("kediri.petugas").get("/kelola/").content.decode()


def test_the_dashboard_prints_charts_as_inline_svg_with_tables(client_for):
    html = client_for("kediri.kabag").get(DASHBOARD).content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') >= 10
    assert html.count("<table") >= 10 and "<script" not in html.split("<main")[1].split("</main>")[0]
    assert 'role="img"' in html and "reports/reports.css" in html


def test_the_region_dashboard_reads_every_agencys_ikm_at_once(client_for):
    client = client_for("kediri.overseer")

    def ikm_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(REGION).status_code == 200
        return len([q for q in queries if "survey_dailytotal" in q["sql"]])

    alone = ikm_queries()
    region = Agency.objects.get(code="ORGANISASI-KEDIRI").region
    Agency.objects.filter(code="DINSOS-SEKADAU").update(region=region)  # a second agency in the region
    assert ikm_queries() == alone  # not one more query per agency
    for code, score in (("ORGANISASI-KEDIRI", 3), ("DINSOS-SEKADAU", 4)):
        service = Service.objects.filter(agency__code=code).first()
        survey.record_answer(service=service, channel="paper", scores=dict.fromkeys(CODES, score))
    period = periods.containing("year", survey.local_date(service.agency, timezone.now()))
    agencies = list(Agency.objects.filter(region=region).values_list("pk", flat=True))
    found = ikm.summaries_by_agency(period, agencies)
    assert len(found) == 2 and found == {pk: ikm.summary(period, agency_id=pk) for pk in found}
