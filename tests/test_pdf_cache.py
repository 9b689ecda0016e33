"""standar.pdf is rendered once per published version and language, then served as a stored file;
the PDF and the flow chart are rate-limited for anonymous visitors."""

import io
import threading

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from layanan.standards import pdf as pdf_module
from layanan.standards.models import Service

from .conftest import login


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def renders(monkeypatch):
    """Counts WeasyPrint renders (the real renderer still runs)."""
    calls = []
    real = pdf_module.render_pdf

    def counting(html):
        calls.append(html)
        return real(html)

    monkeypatch.setattr(pdf_module, "render_pdf", counting)
    return calls


def pdf_url(agency_code="DPMPTSP-BANGLI"):
    service = Service.objects.filter(agency__code=agency_code, published_standard__isnull=False).first()
    return reverse("portal:pdf", args=[agency_code, service.code])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_second_request_serves_the_stored_file_without_rendering_again(demo, client, renders, media):
    first = client.get(pdf_url())
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    first_bytes = body(first)
    assert len(renders) == 1
    second = client.get(pdf_url())
    assert second.status_code == 200
    assert body(second) == first_bytes
    assert len(renders) == 1, "the second request must not run WeasyPrint"
    assert PdfReader(io.BytesIO(first_bytes)).pages
    stored = [p for p in (media / "standards" / "pdf").rglob("*.pdf")]
    assert len(stored) == 1 and "-v1-id-" in stored[0].name
    assert stored[0].read_bytes() == first_bytes
    assert "public" in second["Cache-Control"] and "max-age" in second["Cache-Control"]
    assert second["ETag"] and second["Last-Modified"]
    assert second["Content-Disposition"].startswith("inline;")


def test_a_matching_etag_gets_304(demo, client, renders):
    etag = client.get(pdf_url())["ETag"]
    again = client.get(pdf_url(), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert len(renders) == 1


def test_each_language_has_its_own_file(demo, client, renders):
    indonesian = body(client.get(pdf_url(), HTTP_ACCEPT_LANGUAGE="id"))
    english = body(client.get(pdf_url(), HTTP_ACCEPT_LANGUAGE="en"))
    assert len(renders) == 2
    assert indonesian != english
    names = sorted(default_storage.listdir("standards/pdf/dpmptsp-bangli")[1])
    assert [n.split("-v1-")[1][:3] for n in names] == ["en-", "id-"]


def test_a_changed_maklumat_gives_a_new_file_not_a_stale_one(demo, client, renders):
    client.get(pdf_url())
    agency = demo["DPMPTSP-BANGLI"]
    agency.maklumat = "Kami sanggup melayani dengan sepenuh hati — maklumat baru."
    agency.save()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body(client.get(pdf_url())))).pages)
    assert len(renders) == 2
    assert "maklumat baru" in text


def test_two_first_requests_at_once_leave_one_whole_file(demo, renders, media):
    from layanan.portal.views import _standard_context

    service = Service.objects.filter(agency__code="DPMPTSP-BANGLI", published_standard__isnull=False).first()
    context = _standard_context("DPMPTSP-BANGLI", service.code)  # built here: no database in the threads
    results, barrier = [], threading.Barrier(2)

    def first_request():
        barrier.wait()
        results.append(pdf_module.stored_standard_pdf(context, "id"))

    threads = [threading.Thread(target=first_request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and results[0].name == results[1].name
    files = [p for p in media.rglob("*") if p.is_file()]
    assert len(files) == 1, files  # no temporary file left behind
    assert PdfReader(io.BytesIO(files[0].read_bytes())).pages


def test_anonymous_pdf_requests_are_limited_per_ip_with_an_indonesian_page(demo, client, renders):
    url = pdf_url()
    statuses = [client.get(url).status_code for _ in range(30)]
    assert statuses == [200] * 30
    limited = client.get(url)
    assert limited.status_code == 429
    assert "Terlalu banyak permintaan" in limited.content.decode()
    assert limited["Retry-After"] == "60"
    assert "public" not in limited.get("Cache-Control", "")
    assert len(renders) == 1
    other_ip = client.get(url, REMOTE_ADDR="10.1.2.3")
    assert other_ip.status_code == 200


def test_staff_are_not_limited(demo):
    client = login("bangli.admin")
    url = pdf_url()
    assert all(client.get(url).status_code == 200 for _ in range(31))


def test_flowchart_is_cached_and_limited(demo, client, monkeypatch):
    calls = []
    real = pdf_module.render_swimlane_svg

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf_module, "render_swimlane_svg", counting)
    service = Service.objects.get(agency__code="DINSOS-SEKADAU")
    url = reverse("portal:flowchart", args=["DINSOS-SEKADAU", service.code])
    first, second = client.get(url), client.get(url)
    assert first.content == second.content and first.content.startswith(b"<svg")
    assert len(calls) == 1
    assert "public" in second["Cache-Control"]
    statuses = [client.get(url).status_code for _ in range(118)]
    assert statuses == [200] * 118
    assert client.get(url).status_code == 429
