"""A citizen on a phone sends a complaint with a photo, gets the receipt with its QR, opens tracking."""

import os

import pytest

from layanan.requests.models import Request

from .browser import browser_page, jpeg_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_citizen_complains_on_a_phone_and_follows_it(seeded, live_server):
    with browser_page("citizen-complaint") as page:
        page.goto(f"{live_server.url}/DPMPTSP-BANGLI/pengaduan-masyarakat/")
        page.get_by_role("link", name="Ajukan permohonan / pengaduan").click()
        assert page.get_by_role("heading", name="Sampaikan pengaduan").is_visible()
        # Person is the default: the organisation's letter fields stay out of the way.
        assert not page.get_by_label("Nomor surat").is_visible()
        page.get_by_label("Nama lengkap").fill("Ni Made Sari")
        page.get_by_label("NIK (16 angka, sesuai KTP)").fill("5106 0145 0792 0003")
        page.get_by_label("Nomor telepon / WhatsApp").fill("0812 3866 945")
        page.get_by_label("Alamat").fill("Jl. Merdeka 1, Bangli")
        page.get_by_label("Judul pengaduan").fill("Izin usaha belum terbit")
        page.get_by_label("Uraian pengaduan").fill("Berkas OSS saya belum diverifikasi sejak Januari.")
        page.get_by_label("Bukti dukung aduan").set_input_files(
            files=[{"name": "foto-loket.jpg", "mimeType": "image/jpeg", "buffer": jpeg_photo()}])
        page.get_by_label("Saya setuju data pribadi").check()
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
        assert status.startswith("Permohonan Anda telah diterima")
        assert "Permohonan diterima" in page.locator("#riwayat").inner_text()
        assert "5106014507920003" not in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
