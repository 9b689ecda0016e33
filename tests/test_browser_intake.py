"""A citizen on a phone sends a complaint with a photo, gets the receipt with its QR, opens tracking."""

import os

import pytest

from layanan.requests.models import Request

from .browser import browser_page, fill_complaint_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_citizen_complains_on_a_phone_and_follows_it(seeded, live_server):
    with browser_page("citizen-complaint") as page:
        page.goto(f"{live_server.url}/DPMPTSP-BANGLI/pengaduan-masyarakat/")
        page.get_by_role("link", name="Ajukan permohonan / pengaduan").click()
        assert page.get_by_role("heading", name="Sampaikan pengaduan").is_visible()
        # Person is the default: the organisation's letter fields stay out of the way.
        assert not page.get_by_label("Nomor surat").is_visible()
        fill_complaint_form(page, name="Ni Made Sari", nik="5106 0145 0792 0003", phone="0812 3866 945",
                            address="Jl. Merdeka 1, Bangli", title="Izin usaha belum terbit",
                            text="Berkas OSS saya belum diverifikasi sejak Januari.",
                            photo_name="foto-loket.jpg")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("button", name="Kirim pengaduan").click()

        request = Request.objects.get(agency__code="DPMPTSP-BANGLI")
        assert page.locator(".receipt-code").first.inner_text() == request.tracking_code
        qr = page.locator(".qr svg")
        assert qr.is_visible() and qr.bounding_box()["width"] > 100
        assert "WITA" in page.locator(".receipt").inner_text()
        assert "foto-loket.jpg" not in page.content()  # receipts list requirements, not file names
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert request.attachments.get().content_type == "image/jpeg"

        page.get_by_role("link", name="Lihat status").click()
        assert page.url.endswith(f"/lacak/{request.tracking_code}/{request.tracking_secret}/")
        status = page.locator("#status").inner_text()
        assert status.startswith("Pengaduan Anda telah diterima")  # a complaint is called one
        assert "Permohonan diterima" in page.locator("#riwayat").inner_text()
        assert "5106014507920003" not in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
