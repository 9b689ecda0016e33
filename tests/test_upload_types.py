"""Uploads are stored, shown and served with the extension of the type their bytes have,
never the one their name claims (a JPEG+HTML polyglot named poly.html is poly.jpg). Photos are
re-encoded on the way in, so what is served is a clean JPEG: the HTML riding behind the image is
gone, and "JPEG" magic bytes in front of something that is no image are refused."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from layanan.accounts.models import User
from layanan.requests import intake, lifecycle
from layanan.requests.models import Attachment, Request
from layanan.standards import services as standard_services
from layanan.standards.models import Requirement, Service

from .conftest import login
from .test_intake_web import apply_url, form_token, person, png_bytes


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


# A real JPEG, then a page a browser would run if it were served as HTML.
POLYGLOT = _jpeg() + b"<html><body><script>alert(document.cookie)</script></body></html>"
# JPEG magic bytes in front of a page: no image at all.
FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + (
    b"<html><body><script>alert(document.cookie)</script></body></html>")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def polyglot(name="poly.html"):
    return SimpleUploadedFile(name, POLYGLOT, content_type="text/html")


def assert_served_as_jpeg(response, name="poly.jpg", *, reencoded=True):
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    served = b"".join(response.streaming_content)
    if reencoded:  # stored through intake: a clean JPEG, the page behind the image gone
        assert served.startswith(b"\xff\xd8") and b"<script>" not in served
    else:  # stored before photos were re-encoded: served as it is, but never as HTML
        assert served == POLYGLOT


def desk_downloader(req) -> str:
    """A staff account of the request's agency that may download its files."""
    url = reverse("desk:attachment", args=[req.pk, req.attachments.order_by("pk").first().pk])
    for user in User.objects.filter(agency=req.agency, is_active=True).order_by("username"):
        if login(user.username).get(url).status_code == 200:
            return user.username
    raise AssertionError("nobody of the agency may download")


@pytest.mark.parametrize("agency_code, service_lookup", [
    ("DPMPTSP-BANGLI", {"code": "pengaduan-masyarakat"}),
    ("ORGANISASI-KEDIRI", {"position": 5}),
])
def test_polyglot_named_html_is_stored_shown_and_served_as_jpeg(demo, client, media, agency_code,
                                                                service_lookup):
    svc = Service.objects.get(agency__code=agency_code, **service_lookup)
    first, *others = Requirement.objects.filter(standard=svc.published_standard, kind="document")
    data = person(subject="Lampiran", description="Lihat lampiran.", token=form_token(client, svc),
                  **{f"doc_{first.pk}": polyglot()})
    data.update({f"doc_{r.pk}": SimpleUploadedFile(f"lampiran-{r.position}.png", png_bytes(), "image/png")
                 for r in others})
    if agency_code == "ORGANISASI-KEDIRI":
        data.update(applicant_type="organisation", organisation_name="Dinas Kesehatan",
                    letter_number="061/1/2026", letter_date="2026-03-02", letter_signatory="Kepala")
    response = client.post(apply_url(svc), data)
    assert response.status_code == 302, response.content.decode()[:1500]
    req = Request.objects.get(service=svc)
    attachment = req.attachments.get(requirement=first)
    assert (attachment.filename, attachment.content_type) == ("poly.jpg", "image/jpeg")
    assert attachment.file.name.endswith(".jpg") and "poly" not in attachment.file.name
    assert sorted(p.suffix for p in media.rglob("*") if p.is_file()) == [".jpg"] + [".png"] * len(others)

    staff = login(desk_downloader(req))
    page = staff.get(reverse("desk:request", args=[req.pk])).content.decode()
    assert "poly.jpg" in page and "poly.html" not in page
    assert_served_as_jpeg(staff.get(reverse("desk:attachment", args=[req.pk, attachment.pk])))


def test_an_attachment_stored_before_under_its_claimed_name_is_served_with_the_detected_one(demo):
    svc = Service.objects.filter(agency__code="DINSOS-SEKADAU").order_by("position").first()
    req, _ = lifecycle.submit(standard=svc.published_standard, channel="counter", subject="Lama",
                              applicant={"applicant_name": "Warga"})
    old = Attachment(request=req, purpose=Attachment.Purpose.EVIDENCE, filename="poly.html",
                     content_type="image/jpeg", size=len(POLYGLOT))
    old.file.save("poly.html", ContentFile(POLYGLOT), save=False)
    old.save()
    staff = login(desk_downloader(req))
    assert_served_as_jpeg(staff.get(reverse("desk:attachment", args=[req.pk, old.pk])), reencoded=False)


def test_product_file_named_html_reaches_the_citizen_as_jpeg(demo, client, client_for):
    svc = Service.objects.get(agency__code="DISDUKCAPIL-PROBOLINGGO")
    officer = User.objects.get(username="dukcapil.petugas")
    req, _ = lifecycle.submit(standard=svc.published_standard, channel="web", subject="Syarat KK",
                              applicant={"applicant_name": "Warga"})
    for _i in range(2):
        req = lifecycle.perform(req, officer, "advance", expected_version=req.version)
    response = client_for("dukcapil.petugas").post(reverse("desk:act", args=[req.pk, "advance"]), {
        "expected_version": req.version, "product_text": "Terlampir.", "product_files": polyglot()})
    assert response.status_code == 302
    [attachment] = req.attachments.filter(purpose=Attachment.Purpose.PRODUCT)
    track = client.get(reverse("public_requests:track", args=[req.tracking_code, req.tracking_secret]))
    assert "poly.jpg" in track.content.decode() and "poly.html" not in track.content.decode()
    assert_served_as_jpeg(client.get(reverse("public_requests:product_file",
                                             args=[req.tracking_code, req.tracking_secret, attachment.pk])))


def test_berita_acara_named_html_is_stored_as_its_type(demo, client_for, media):
    admin = User.objects.get(username="dinsos.admin")
    std = Service.objects.filter(agency__code="DINSOS-SEKADAU").first().published_standard
    draft = standard_services.new_version(std, admin)
    client = client_for("dinsos.admin")
    client.post(reverse("standards:discussed", args=[draft.pk]),
                {"discussed_on": "2026-11-20", "notes": "", "minutes": polyglot()})
    draft.refresh_from_db()
    assert draft.discussed_on == datetime.date(2026, 11, 20)
    assert draft.discussion_minutes.name.endswith(".jpg") and "poly" not in draft.discussion_minutes.name
    response = client.get(reverse("standards:minutes", args=[draft.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("name, content_type, expected", [
    ("poly.html", "image/jpeg", "poly.jpg"),
    ("Scan KTP.JPEG", "image/jpeg", "Scan KTP.jpg"),
    ("surat", "application/pdf", "surat.pdf"),
    ("Surat a.n. Budi Santoso", "application/pdf", "Surat a.n. Budi Santoso.pdf"),
    ("laporan.tar.gz", "image/png", "laporan.tar.png"),
])
def test_display_name_keeps_the_base_name_with_the_detected_extension(name, content_type, expected):
    assert intake.typed_name(name, content_type) == expected


def test_jpeg_magic_in_front_of_a_page_is_refused(demo, client, media):
    svc = Service.objects.get(agency__code="DPMPTSP-BANGLI", code="pengaduan-masyarakat")
    first = Requirement.objects.filter(standard=svc.published_standard, kind="document").first()
    data = person(subject="Lampiran", description="Lihat lampiran.", token=form_token(client, svc),
                  **{f"doc_{first.pk}": SimpleUploadedFile("poly.html", FAKE_JPEG, content_type="text/html")})
    response = client.post(apply_url(svc), data)
    assert response.status_code == 400 and "rusak" in response.content.decode()
    assert not Request.objects.exists() and not Attachment.objects.exists()
