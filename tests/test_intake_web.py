"""The citizen's web form: /<AGENCY>/<service>/ajukan/ → the receipt."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import Image

from layanan.requests import intake
from layanan.requests.models import ApplicantType, Attachment, Channel, Request, State
from layanan.standards.models import Requirement, Service

NIK = "5106014507920003"  # Bangli (51 06 01), a woman born 5 July 1992
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def upload(name="bukti.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def service(agency_code, **lookup) -> Service:
    return Service.objects.get(agency__code=agency_code, **lookup)


def apply_url(svc: Service, jenis: str = "") -> str:
    """The form's address; `jenis` chooses the kind where the standard takes several (seed 001)."""
    url = reverse("public_requests:apply", args=[svc.agency.code, svc.code])
    return f"{url}?jenis={jenis}" if jenis else url


def form_token(client, svc: Service, jenis: str = "") -> str:
    page = client.get(apply_url(svc, jenis)).content.decode()
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def person(**extra) -> dict:
    return {"applicant_type": "person", "name": "Ni Made Sari", "nik": NIK, "phone": "0812-3866-945",
            "email": "sari@example.id", "address": "Jl. Merdeka 1, Bangli", "consent": "on", **extra}


@pytest.fixture
def bangli(demo):
    return service("DPMPTSP-BANGLI", code="pengaduan-masyarakat")


def complaint(client, svc, **extra):
    evidence = Requirement.objects.get(standard=svc.published_standard, kind="document")
    data = person(subject="Izin usaha tidak kunjung terbit",
                  description="Sudah tiga bulan berkas OSS saya belum diverifikasi.",
                  token=form_token(client, svc), **{f"doc_{evidence.pk}": upload()})
    data.update(extra)
    return client.post(apply_url(svc), data)


def test_service_page_links_to_the_form(bangli, client):
    page = client.get(reverse("portal:service", args=[bangli.agency.code, bangli.code])).content.decode()
    assert apply_url(bangli) in page
    assert "Ajukan permohonan / pengaduan" in page


def test_form_asks_for_document_uploads_consent_and_lapor_options(bangli, client):
    response = client.get(apply_url(bangli))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bukti dukung aduan" in page and 'type="file"' in page
    assert 'name="anonymous"' in page and 'name="confidential"' in page
    assert "UU 27/2022" in page
    assert "no-store" in response["Cache-Control"]


def test_complaint_with_an_upload_gives_a_receipt_with_qr_and_due_time(bangli, client, media):
    response = complaint(client, bangli)
    assert response.status_code == 302
    request = Request.objects.get(agency=bangli.agency)
    assert response["Location"] == reverse("public_requests:receipt",
                                           args=[request.tracking_code, request.tracking_secret])
    assert (request.channel, request.kind, request.state) == (Channel.WEB, "complaint", State.RECEIVED)
    assert request.applicant_phone == "+628123866945"
    assert request.applicant_nik == NIK and request.consent_at is not None
    attachment = request.attachments.get()
    assert (attachment.filename, attachment.content_type, attachment.purpose) == (
        "bukti.pdf", "application/pdf", Attachment.Purpose.REQUIREMENT)
    # Stored under a random name in MEDIA_ROOT, not under the citizen's name.
    [path] = stored_files(media)
    assert path.read_bytes() == PDF and "bukti" not in str(path)
    assert request.checks.get(requirement=attachment.requirement).satisfied

    receipt = client.get(response["Location"])
    page = receipt.content.decode()
    assert request.tracking_code in page and request.tracking_code.startswith("DPMPTSP-BANGLI-")
    assert "<svg" in page and "QR" in page
    assert "WITA" in page and "Target selesai" in page
    assert reverse("public_requests:track", args=[request.tracking_code, request.tracking_secret]) in page
    assert NIK not in page and "8123866945" not in page
    assert "no-store" in receipt["Cache-Control"]


def test_organisation_letter_request_to_kediri_service_5(demo, client):
    svc = service("ORGANISASI-KEDIRI", position=5)
    documents = Requirement.objects.filter(standard=svc.published_standard, kind="document")
    data = {"applicant_type": "organisation", "organisation_name": "Dinas Kesehatan Kabupaten Kediri",
            "letter_number": "061/123/418.25/2026", "letter_date": "2026-03-02",
            "letter_signatory": "dr. Ahmad, Kepala Dinas", "name": "Budi (Subbag Umum)",
            "email": "umum.dinkes@kedirikab.go.id", "consent": "on",
            "subject": "Perubahan nomenklatur jabatan pelaksana",
            "description": "Mohon perubahan nomenklatur sesuai surat terlampir.",
            "token": form_token(client, svc)}
    data.update({f"doc_{r.pk}": upload(f"lampiran-{r.position}.png", png_bytes(), "image/png")
                 for r in documents})
    response = client.post(apply_url(svc), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    request = Request.objects.get(service=svc)
    assert request.applicant_type == ApplicantType.ORGANISATION
    assert (request.organisation_name, request.letter_number, str(request.letter_date)) == (
        "Dinas Kesehatan Kabupaten Kediri", "061/123/418.25/2026", "2026-03-02")
    assert request.applicant_nik == ""
    assert request.attachments.count() == 3
    assert set(request.attachments.values_list("content_type", flat=True)) == {"image/png"}
    # The clock of service 5 starts at the Kasubag's receipt of the disposition, not now.
    assert request.due_at is None
    page = client.get(response["Location"]).content.decode()
    assert "mulai dihitung sejak" in page


def test_organisation_without_its_letter_is_refused(demo, client):
    svc = service("ORGANISASI-KEDIRI", position=5)
    documents = Requirement.objects.filter(standard=svc.published_standard, kind="document")
    data = {"applicant_type": "organisation", "organisation_name": "Dinas Kesehatan",
            "email": "umum@kedirikab.go.id", "consent": "on", "subject": "Nomenklatur",
            "description": "…", "token": form_token(client, svc)}
    data.update({f"doc_{r.pk}": upload() for r in documents})
    response = client.post(apply_url(svc), data)
    assert response.status_code == 400
    assert "Isi nomor surat." in response.content.decode()
    assert not Request.objects.filter(service=svc).exists()


def test_double_submit_creates_one_request_and_shows_the_same_receipt(bangli, client, media):
    token = form_token(client, bangli)
    first = complaint(client, bangli, token=token)
    second = complaint(client, bangli, token=token)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Request.objects.filter(agency=bangli.agency).count() == 1
    assert Attachment.objects.count() == 1 and len(stored_files(media)) == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("nik", "5106013202920003", "Tanggal lahir pada NIK"),
    ("nik", "12345", "NIK harus 16 angka"),
    ("nik", "0006014507920003", "bukan kode provinsi"),
    ("phone", "12", "Nomor telepon tidak dapat dibaca"),
    ("phone", "nomor saya", "Nomor telepon tidak dapat dibaca"),
    ("consent", "", "Centang persetujuan"),
    ("token", "forged", "kedaluwarsa atau tidak sah"),
])
def test_bad_input_is_400_with_the_indonesian_message_and_nothing_written(
        bangli, client, media, field, value, message):
    response = complaint(client, bangli, **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Request.objects.exists() and not Attachment.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bukti.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "bukan PDF, JPEG, PNG atau DOCX"),  # an .exe renamed
    ("catatan.pdf", b"just some text pretending to be a pdf", "bukan PDF, JPEG, PNG atau DOCX"),
    ("besar.pdf", PDF + b"0" * (5 * 1024 * 1024), "terlalu besar"),
])
def test_uploads_are_judged_by_content_and_size(bangli, client, media, name, content, message):
    evidence = Requirement.objects.get(standard=bangli.published_standard, kind="document")
    response = complaint(client, bangli, **{f"doc_{evidence.pk}": upload(name, content)})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    # The error sits next to the upload field it is about.
    field_block = page[page.index(f'id="id_doc_{evidence.pk}"'):]
    assert message in field_block[:1500]
    assert not Request.objects.exists() and stored_files(media) == []


def test_more_than_ten_files_are_refused(bangli, client, media):
    files = [upload(f"foto-{i}.png", png_bytes(), "image/png") for i in range(11)]
    response = complaint(client, bangli, evidence=files)
    assert response.status_code == 400
    assert "Paling banyak 10 berkas" in response.content.decode()
    assert not Request.objects.exists() and stored_files(media) == []


def test_several_evidence_files_are_kept_with_their_display_names(bangli, client, media):
    files = [upload("../../etc/passwd.png", png_bytes(), "image/png"), upload("surat.pdf")]
    response = complaint(client, bangli, evidence=files)
    assert response.status_code == 302
    names = set(Attachment.objects.filter(purpose="evidence").values_list("filename", flat=True))
    assert names == {"passwd.png", "surat.pdf"}
    assert len(stored_files(media)) == 3


def test_anonymous_complaint_stores_no_identity(bangli, client):
    response = complaint(client, bangli, anonymous="on", nik="bukan nik", phone="x")
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.applicant_type == ApplicantType.ANONYMOUS
    assert (request.applicant_name, request.applicant_nik, request.applicant_phone, request.applicant_email,
            request.applicant_address) == ("", "", "", "", "")
    assert not request.confidential
    assert not request.outbox.exists()  # nobody to write to


def test_anonymous_complaint_may_leave_every_identity_field_empty(bangli, client):
    evidence = Requirement.objects.get(standard=bangli.published_standard, kind="document")
    response = client.post(apply_url(bangli), {
        "anonymous": "on", "consent": "on", "subject": "Pungutan liar", "description": "Di loket B.",
        "token": form_token(client, bangli), f"doc_{evidence.pk}": upload()})
    assert response.status_code == 302


def test_confidential_complaint_keeps_identity_but_marks_it(bangli, client):
    assert complaint(client, bangli, confidential="on").status_code == 302
    request = Request.objects.get()
    assert request.confidential and request.applicant_nik == NIK


def test_person_needs_name_nik_address_and_a_contact(bangli, client):
    response = complaint(client, bangli, name="", nik="", address="", phone="", email="")
    page = response.content.decode()
    assert response.status_code == 400
    for message in ("Isi nama lengkap.", "Isi NIK sesuai KTP", "Isi alamat.",
                    "Isi nomor telepon atau e-mail"):
        assert message in page


def test_data_request_asks_the_kip_fields_and_requires_mandatory_documents(demo, client):
    svc = service("DINSOS-SEKADAU")
    letter = Requirement.objects.get(standard=svc.published_standard, kind="document")
    base = person(subject="Data penerima PKH Desa Sungai Ayak", description="Untuk skripsi.",
                  purpose="Penelitian skripsi", obtain="salinan", receive="email")
    url = apply_url(svc, "permintaan-data")
    response = client.post(url, {**base, "token": form_token(client, svc, "permintaan-data")})
    assert response.status_code == 400
    assert "Lampirkan dokumen ini" in response.content.decode()
    response = client.post(url, {**base, "token": form_token(client, svc, "permintaan-data"),
                                 f"doc_{letter.pk}": upload("surat.pdf")})
    assert response.status_code == 302
    request = Request.objects.get(service=svc)
    assert "Tujuan penggunaan: Penelitian skripsi" in request.description
    assert "Cara menerima: E-mail" in request.description


def test_a_form_shown_again_with_errors_does_not_mark_the_next_citizen_s_form(demo, client):
    """The standard's own fields are built once per kept standard and copied for each form: the
    autofocus one citizen's error put on a document field is not on the next citizen's form."""
    svc = service("DINSOS-SEKADAU")
    letter = Requirement.objects.get(standard=svc.published_standard, kind="document")
    url = apply_url(svc, "permintaan-data")
    refused = client.post(url, {**person(subject="Data PKH", description="Untuk skripsi.", purpose="Skripsi",
                                         consent=""),
                                "token": form_token(client, svc, "permintaan-data")}).content.decode()
    field = re.compile(rf'<input[^>]*name="doc_{letter.pk}"[^>]*>')
    assert "autofocus" not in field.search(refused).group(0)  # the first error is further up
    refused = client.post(url, {**person(subject="Data PKH", description="Untuk skripsi.", purpose="Skripsi"),
                                "token": form_token(client, svc, "permintaan-data")}).content.decode()
    assert "autofocus" in field.search(refused).group(0)  # now the letter is the first missing
    fresh = client.get(url).content.decode()
    assert "autofocus" not in field.search(fresh).group(0)
    assert "Lampirkan dokumen ini" not in fresh


def test_the_optional_document_label_follows_the_citizen_s_language(bangli, client):
    evidence = Requirement.objects.get(standard=bangli.published_standard, kind="document")
    indonesian = client.get(apply_url(bangli)).content.decode()
    english = client.get(apply_url(bangli), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{evidence.label} (bila ada)" in indonesian
    assert f"{evidence.label} (bila ada)" not in english


def test_personal_data_is_encrypted_in_the_database(bangli, client):
    complaint(client, bangli)
    request = Request.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT applicant_nik, applicant_phone, applicant_address FROM requests_request "
                       "WHERE id = %s", [request.pk])
        nik, phone, address = cursor.fetchone()
    assert NIK not in nik and "8123866945" not in phone and "Merdeka" not in address
    assert nik.startswith("gAAAA")  # a Fernet token


def test_a_failure_after_files_were_written_leaves_no_rows_and_no_files(bangli, media, monkeypatch):
    standard = bangli.published_standard
    evidence = Requirement.objects.get(standard=standard, kind="document")
    first, second = (intake.check_upload(upload(n)) for n in ("a.pdf", "b.pdf"))
    first.requirement, first.purpose = evidence, Attachment.Purpose.REQUIREMENT
    calls = {"n": 0}
    original_save = Attachment.save

    def save_then_fail(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", save_then_fail)
    submission = intake.Submission(
        standard=standard, channel=Channel.WEB, subject="x", applicant={"applicant_type": "anonymous"},
        idempotency_key="web:test-failure", uploads=[first, second])
    with pytest.raises(RuntimeError):
        intake.register(submission)
    assert not Request.objects.exists() and not Attachment.objects.exists()
    assert stored_files(media) == []


def test_unknown_service_or_unpublished_is_404(demo, client):
    assert client.get("/DPMPTSP-BANGLI/tidak-ada/ajukan/").status_code == 404
    assert client.get("/TIDAK-ADA/pengaduan-masyarakat/ajukan/").status_code == 404


def test_a_post_larger_than_ten_full_files_is_refused_unread(bangli, client):
    response = client.post(apply_url(bangli), {"subject": "x"},
                           CONTENT_LENGTH=str(intake.MAX_POST_BYTES + 1))
    assert response.status_code == 413
    assert "Kiriman terlalu besar" in response.content.decode()
    assert not Request.objects.exists()


def _phone_photo(width=3000, height=2250) -> bytes:
    """A phone camera photo: 6.75 megapixels of noise (so JPEG cannot shrink it), with EXIF GPS."""
    import os as _os

    image = Image.frombytes("RGB", (width, height), _os.urandom(width * height * 3))
    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (8.0, 27.0, 0.0)}  # GPSInfo: where the citizen lives
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def test_a_large_phone_photo_of_a_ktp_is_accepted_and_scaled_down(bangli, client, media):
    """Issue 7: 5 MB rejected many phone photos. Photos up to 10 MB are taken, scaled to 2000 px on
    the longest side and stripped of EXIF (the GPS position is personal data); PDFs keep 5 MB."""
    photo = _phone_photo()
    assert 5 * 1024 * 1024 < len(photo) <= 10 * 1024 * 1024
    evidence = Requirement.objects.get(standard=bangli.published_standard, kind="document")
    response = complaint(client, bangli, **{f"doc_{evidence.pk}": upload("ktp.jpg", photo, "image/jpeg")})
    assert response.status_code == 302, response.content.decode()[:500]
    stored = Attachment.objects.get()
    assert stored.content_type == "image/jpeg" and stored.size < len(photo)
    with Image.open(stored.file.open("rb")) as image:
        assert max(image.size) == 2000
        assert 0x8825 not in image.getexif()


def test_a_photo_over_ten_mb_or_a_broken_one_is_refused(bangli, client, media):
    evidence = Requirement.objects.get(standard=bangli.published_standard, kind="document")
    too_big = b"\xff\xd8\xff\xe0" + b"0" * (10 * 1024 * 1024 + 1)
    response = complaint(client, bangli, **{f"doc_{evidence.pk}": upload("ktp.jpg", too_big, "image/jpeg")})
    assert response.status_code == 400 and "terlalu besar" in response.content.decode()
    broken = b"\xff\xd8\xff\xe0" + b"0" * 5000
    response = complaint(client, bangli, **{f"doc_{evidence.pk}": upload("ktp.jpg", broken, "image/jpeg")})
    assert response.status_code == 400 and "rusak" in response.content.decode()
    assert not Request.objects.exists() and stored_files(media) == []
