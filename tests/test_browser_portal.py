"""A citizen reads a standard on a phone; an agency admin edits and republishes it."""

import os

import pytest

from layanan.accounts.models import User
from layanan.demo.loader import DEMO_PASSWORD
from layanan.standards.models import Service

from .browser import browser_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Playwright's sync API runs an event loop; Django's ORM calls in the test itself are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_citizen_finds_a_service_and_reads_its_time_and_requirements(seeded, live_server):
    with browser_page("citizen-portal") as page:
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="Dinas Sosial Kabupaten Sekadau").click()
        page.get_by_label("Cari layanan").fill("pengaduan")
        page.get_by_role("button", name="Cari").click()
        page.get_by_role("link", name="Pelayanan data dan pengaduan").click()
        time_row = page.locator("#jangka_waktu")
        assert "1–3 minggu" in time_row.inner_text()
        requirements = page.locator("#persyaratan li").all_inner_texts()
        assert len(requirements) == 5
        assert requirements[0] == "Surat Permohonan tertulis maupun melalui Ponsel"
        # The flow chart image loads; the page fits a phone without sideways scrolling.
        chart = page.locator("#alur img")
        chart.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator("script").count() == 0


def test_agency_admin_edits_and_republishes_a_standard(seeded, live_server):
    admin = User.objects.get(agency__code="DPMN-SOLOK", positions__role="agency_admin")
    service = Service.objects.get(agency__code="DPMN-SOLOK")
    with browser_page("admin-republish", width=1200, height=900) as page:
        page.goto(live_server.url + "/akun/masuk/")
        page.locator("#id_username").fill(admin.username)
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.get_by_role("link", name="Standar pelayanan").first.click()
        page.get_by_role("link", name="v1").click()
        page.get_by_role("button", name="Buat versi baru dari versi ini").click()
        page.get_by_label("Jangka waktu penyelesaian").fill("60 menit")
        page.get_by_role("button", name="Simpan").click()
        assert "Komponen standar disimpan." in page.content()
        page.get_by_label("Tanggal pembahasan").fill("2026-11-20")
        page.get_by_label("Catatan / peserta pembahasan").fill("Rapat dengan wali nagari dan LPM")
        page.get_by_role("button", name="Tandai sudah dibahas").click()
        page.get_by_label("Nomor keputusan").fill("060/45/DPMN/2026")
        page.get_by_label("Tanggal keputusan").fill("2026-11-21")
        page.get_by_role("button", name="Tetapkan").click()
        page.get_by_role("button", name="Publikasikan").click()
        assert "Standar dipublikasikan" in page.content()
        page.goto(f"{live_server.url}/DPMN-SOLOK/{service.code}/")
        assert "60 menit" in page.locator("#jangka_waktu").inner_text()
        assert "060/45/DPMN/2026" in page.content()
        assert "versi 2" in page.content()
