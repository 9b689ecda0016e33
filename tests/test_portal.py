"""The public portal: region → agency → service page, PDF and flow chart."""

import io
import re

from django.urls import reverse
from pypdf import PdfReader

from layanan.standards.models import Service


def test_home_lists_every_region_and_agency(demo, client):
    page = client.get("/").content.decode()
    for agency in demo.values():
        assert agency.name in page
        assert agency.region.name in page


def test_agency_page_lists_its_published_services_and_search_narrows(demo, client):
    url = reverse("portal:agency", args=["ORGANISASI-KEDIRI"])
    page = client.get(url).content.decode()
    assert page.count('class="meta"') == 17
    found = client.get(url, {"q": "survei"}).content.decode()
    assert found.count('class="meta"') == 1
    assert "Bimbingan survei kepuasan masyarakat" in found
    none = client.get(url, {"q": "paspor"}).content.decode()
    assert "Tidak ada layanan yang cocok" in none


def test_service_page_shows_the_standard_as_the_document_does(demo, client):
    service = Service.objects.get(agency__code="DINSOS-SEKADAU")
    page = client.get(reverse("portal:service", args=["DINSOS-SEKADAU", service.code])).content.decode()
    # Service delivery comes before manufacturing, as in the document.
    assert page.index("service delivery") < page.index("manufacturing")
    assert "1–3 minggu" in page or "1-3 minggu" in page.lower()
    assert "Surat Permohonan tertulis maupun melalui Ponsel" in page
    assert "Kursi Roda" in page
    assert "tel:+6285252375905" in page
    assert "Maklumat pelayanan" in page
    assert "alur.svg" in page
    # The version and the decree it was enacted by.
    std = service.published_standard
    assert std.decree_number in page
    assert f"versi {std.version}" in page


def test_missing_components_are_marked_not_hidden(demo, client):
    service = Service.objects.get(agency__code="ORGANISASI-KEDIRI", name__icontains="TPP")
    page = client.get(reverse("portal:service", args=["ORGANISASI-KEDIRI", service.code])).content.decode()
    assert "Tidak dicantumkan dalam standar." in page


def test_unknown_agency_or_service_is_404(demo, client):
    assert client.get("/NOPE/").status_code == 404
    assert client.get(reverse("portal:service", args=["DINSOS-SEKADAU", "nope"])).status_code == 404


def test_flowchart_is_svg_with_one_lane_per_actor(demo, client):
    service = Service.objects.get(agency__code="DINSOS-SEKADAU")
    response = client.get(reverse("portal:flowchart", args=["DINSOS-SEKADAU", service.code]))
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert body.startswith("<svg") and "Kepala Dinas" in body


def test_standard_downloads_as_a4_pdf(demo, client):
    service = Service.objects.get(agency__code="DPMPTSP-BANGLI")
    response = client.get(reverse("portal:pdf", args=["DPMPTSP-BANGLI", service.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    first = pdf.pages[0]
    # A4 is 595 x 842 points.
    assert (round(float(first.mediabox.width)), round(float(first.mediabox.height))) == (595, 842)
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Pengaduan masyarakat" in text or "PENGADUAN" in text.upper()
    assert "Bukti dukung aduan" in text


def test_pages_work_without_javascript_and_load_no_external_assets(demo, client):
    service = Service.objects.get(agency__code="DISDUKCAPIL-PROBOLINGGO")
    page = client.get(reverse("portal:service", args=["DISDUKCAPIL-PROBOLINGGO", service.code]))
    html = page.content.decode()
    assert "<script" not in html
    # Every asset the page loads comes from this site (offices have poor links: no CDN).
    assets = re.findall(r'<(?:img|script)[^>]*\ssrc="([^"]*)"|<link[^>]*\shref="([^"]*)"', html)
    assert assets
    assert all(src.startswith(("/", "data:")) for pair in assets for src in pair if src)
    assert page["Cache-Control"].startswith("max-age") or "public" in page["Cache-Control"]


def test_english_is_available(demo, client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in page
    assert "Public service standards" in page and "Standar pelayanan publik" not in page
    default = client.get("/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Standar pelayanan publik" in default
